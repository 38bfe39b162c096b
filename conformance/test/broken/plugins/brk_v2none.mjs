import { main } from "./broken_v2.mjs";

await main("brk_v2none", "none");
