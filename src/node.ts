/// <reference types="node" />
// seqwasm/node: file-system helpers for Node, Deno and Bun. The core package stays free of node: imports.
export { loadModelFile, saveModelFile } from './node/modelFile.js';
