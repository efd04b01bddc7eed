// Loaded before every test file: the Node 20 compat shim must come first.
import '../node/core/compat.js';
