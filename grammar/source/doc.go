// Package source decodes configuration files the way they arrive from a
// mainframe (UTF-8/ASCII or EBCDIC IBM-1047; LF, CRLF or EBCDIC NL line ends;
// fixed 80-byte records without line ends) and maps byte offsets of the
// decoded text to diag positions.
package source
