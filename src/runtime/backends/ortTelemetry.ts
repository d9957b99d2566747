/**
 * onnxruntime-node (1.29 and later, on Linux and macOS) starts Microsoft's telemetry client when
 * its environment is created: it writes a device id and an SQLite event store under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime (fsync'd at start and at exit), a
 * /tmp/mat-debug-<pid>.log per process, and uploads events — a network connection the graph's
 * network policy never sees, and ≈ 10–20 ms of every CLI run. ORT_DISABLE_TELEMETRY=1, set
 * before the first session is created, turns all of it off; a value the user set is kept.
 * Imported before onnxruntime-node (node.ts), so it holds before the native library loads.
 */
process.env.ORT_DISABLE_TELEMETRY ??= '1';
