// What a page ships for lru-cache, the npm LRU most apps use.
export { LRUCache } from "lru-cache";
