// Package testkit is the home of tcpipc's test kits: packages that only
// tests import (golden archives, inline expectations, rule harness, leak
// check, network namespaces, the in-memory UDP network, the stream
// benchmark). Production code never imports anything below this folder.
package testkit
