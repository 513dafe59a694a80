// What a page ships for apiscope's JavaScript: the whole npm entry (the wasm file is counted
// beside it).
export * from "../../js/index.js";
