// Package dvipaindex is a shared index the SWSA rules require: for every
// stack, the filter rules it installs (the Policy Agent policy when it is
// installed, else the profile's IPSEC rules when IPCONFIG IPSECURITY is
// coded), and for every dynamic VIPA the stack owns, backs up, distributes
// or is a target of, the anchor rules of that DVIPA's traffic — the
// installed filters whose local address selector covers the DVIPA, in
// order. It reports nothing.
//
// Anchors are found through a prefix index, not by comparing every rule
// with every DVIPA, so a sysplex with tens of thousands of rules indexes in
// linear time.
package dvipaindex
