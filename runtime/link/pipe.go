package link

import "context"

// Pipe returns two queued endpoints joined back to back, like a cable
// between two NICs: what one stack writes into a, the other stack receives
// from b, and the reverse. Each direction has its own queue and pump, so a
// slow receiver blocks only the writer that feeds it. Options apply to both
// ends; Name gets "/a" and "/b" appended, and QueueLen defaults to
// DefaultQueueLen. Closing either end stops only that end's direction; close
// both (removing their NICs does) to stop both pumps.
func Pipe(opts Options) (a, b *Endpoint) {
	if opts.QueueLen <= 0 {
		opts.QueueLen = DefaultQueueLen
	}
	ao, bo := opts, opts
	ao.Name, bo.Name = opts.Name+"/a", opts.Name+"/b"
	// The handlers refer to the other end, which does not exist yet when
	// the first is built: bind through variables set before any packet
	// can flow.
	ao.Handler = func(_ context.Context, pkt []byte) error { return b.Inject(pkt) }
	bo.Handler = func(_ context.Context, pkt []byte) error { return a.Inject(pkt) }
	a = New(ao)
	b = New(bo)
	return a, b
}
