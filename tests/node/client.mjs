// A stage screen under Node with the official Socket.IO client (the version vendored in static/vendor).
// Usage: node client.mjs URL [audience] [lifetime_seconds]
// Prints one JSON line per connect, join, snapshot and disconnect, each with t = wall-clock seconds
// (Date.now() / 1000, the same clock as Python's time.time()) so a test can measure latency.
import { io } from "socket.io-client";

const [url, audience = "stage", lifetime = "60"] = process.argv.slice(2);
if (!url) {
  console.error("usage: node client.mjs URL [audience] [lifetime_seconds]");
  process.exit(2);
}

function line(type, fields = {}) {
  process.stdout.write(JSON.stringify({ type, t: Date.now() / 1000, ...fields }) + "\n");
}

function summary(snapshot) {
  const current = snapshot.current || {};
  const next = snapshot.next || {};
  return {
    rev: snapshot.rev,
    status: snapshot.status,
    block_id: current.block_id ?? null,
    time_up_ms: current.time_up_ms ?? null,
    remaining_ms: current.remaining_ms ?? null,
    next_block_id: next.block_id ?? null,
    now_ms: snapshot.now_ms,
  };
}

const socket = io(url, { transports: ["websocket"], reconnectionDelay: 300 });

socket.on("connect", () => {
  line("connect", { sid: socket.id });
  socket.emit("join", { audience }, (ack) => {
    if (ack && ack.ok) line("join", { role: ack.role, ...summary(ack.stages[0].snapshot) });
    else line("join_error", { ack });
  });
});
socket.on("snapshot", (snapshot) => line("snapshot", summary(snapshot)));
socket.on("disconnect", (reason) => line("disconnect", { reason }));
socket.on("connect_error", (error) => line("connect_error", { error: String(error && error.message) }));

setTimeout(() => {
  socket.close();
  process.exit(0);
}, Number(lifetime) * 1000);
process.on("SIGTERM", () => {
  socket.close();
  process.exit(0);
});
