// Package dvlocalfltr checks DVLOCALFLTR (SWSA006, dvlocalfltr).
//
// DVLOCALFLTR is a sub-parameter of DVIPSEC: it makes the stack filter and
// protect TCP traffic between a client and an IPv4 DVIPA that live on the
// same stack when the traffic is forwarded to another stack. Coded without
// DVIPSEC it has no meaning. With it, the stack's policy must cover all
// local TCP traffic that has an IPv4 DVIPA as an endpoint: traffic no rule
// matches is denied.
//
// Fix: code DVLOCALFLTR only after DVIPSEC, and give every IPv4 DVIPA of
// the stack a filter rule for local TCP traffic to and from any address.
package dvlocalfltr
