// What a page ships for a t-digest.
export { default as tdigest } from "tdigest";
