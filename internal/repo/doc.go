// Package repo holds repository-wide checks that belong to no single
// package, such as formatting.
package repo
