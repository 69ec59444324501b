// Preloaded (node --require) into a process whose CPU profile a benchmark wants: node writes a
// --cpu-prof profile only on a normal exit, and a SIGTERM without a handler is not one.
process.once('SIGTERM', () => process.exit(0));
