// The gateway token of every benchmark: its own module, so processes that only
// send it (clients, the upstream) do not load the gateway to learn it.
export const BENCH_TOKEN = 'bench-token-0123456789abcdef'
