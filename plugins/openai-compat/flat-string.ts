// V8 keeps a string built by concatenation as a tree of its pieces and copies
// it into one flat string whenever it is written out (to a socket, a Buffer, a
// Map key). A tree that is part of two larger strings (a response's JSON in two
// stream events, or in its last event and in the store) is walked once per
// write unless it was flattened first; after that each write copies it whole.

/** `s`, flattened in place by V8 (reading a character of a tree flattens it). */
export function flat (s: string): string {
  // The comparison keeps the read from being dropped as unused.
  return s.charCodeAt(0) >= 0 ? s : s
}
