// Package cf is the runtime's coupling facility: named structures of
// versioned entries that every stack of the sysplex can read and update.
//
// On z/OS the coupling facility holds, among others, the EZBDVIPAvvtt
// structure in which the IKE daemon of a DVIPA's owner keeps what a
// backup needs to rebuild the sysplex-wide security associations (seed
// 003 figure 14, blocks 326 to 336, and figure 15, blocks 354 to 363: the
// new owner reads the records, renegotiates, writes new ones and removes
// the old).
//
// Facility and Structure are interfaces so that the in-memory
// implementation here, used when the whole sysplex runs in one process,
// can be replaced by an external store when stacks run as separate
// processes. The operations map one to one onto etcd's: every call takes
// a context; an entry's Version is the structure-wide revision of its
// last change (etcd's mod_revision); CompareAndSwap with version 0 means
// "create only if absent" (etcd's create_revision == 0); List is a prefix
// range read; Watch is a prefix watch that delivers every change in
// revision order.
package cf
