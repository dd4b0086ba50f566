package sysplex

// armGrace schedules the end of the grace time of a stack that just
// started or rejoined the group.
func (s *Stack) armGrace() {
	s.mu.Lock()
	started := s.startedAt.UnixNano()
	s.mu.Unlock()
	s.sx.clk.AfterFunc(s.grace, func() { s.endGrace(started) })
}

// endGrace ends the grace time that began at started: peers the stack has
// not heard of by now count as down (isUp), and a DVIPA holder it only
// assumed because it had not heard of it yet gives way to what the group
// told it since: the stack whose VIPA list says it routes the DVIPA, or
// nobody. Then the stack decides again. A grace time of an earlier start
// (the stack failed and restarted meanwhile) ends nothing.
func (s *Stack) endGrace(started int64) {
	s.mu.Lock()
	if !s.up || s.outOfGroup || s.startedAt.UnixNano() != started {
		s.mu.Unlock()
		return
	}
	for a, o := range s.owners {
		h := o.Holder()
		if _, heard := s.view[h]; h == "" || heard {
			continue
		}
		announced := s.roles.lookup(a).routerOf()
		if announced == s.plan.Name || !s.view[announced] {
			announced = ""
		}
		o.Settle(announced)
	}
	s.mu.Unlock()
	s.reevaluate()
}
