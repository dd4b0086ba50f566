package profile

// tcpipDataStatements are the statements of TCPIP.DATA, the resolver's and
// the applications' configuration data set (IP Configuration Reference,
// "Configuration statements in TCPIP.DATA"). None is a profile statement;
// one pasted into a profile is rejected by the stack, and the finding
// says where it belongs.
var tcpipDataStatements = map[string]bool{
	"ALWAYSWTO": true, "DATASETPREFIX": true, "DOMAIN": true, "DOMAINORIGIN": true,
	"HOSTNAME": true, "LOADDBCSTABLES": true, "LOOKUP": true, "MESSAGECASE": true,
	"NAMESERVER": true, "NOCACHE": true, "NOCACHEREORDER": true, "NSINTERADDR": true,
	"NSPORTADDR": true, "OPTIONS": true, "RESOLVERTIMEOUT": true, "RESOLVERUDPRETRIES": true,
	"RESOLVEVIA": true, "SEARCH": true, "SORTLIST": true, "TCPIPJOBNAME": true,
	"TCPIPUSERID": true,
}

// tcpipDataHint is the sentence that tells a TCPIP.DATA statement found in a
// profile where it belongs, or "" for any other word.
func tcpipDataHint(t view) string {
	if t.Type != Word || !tcpipDataStatements[upper(t.Value)] {
		return ""
	}
	return upper(t.Value) + " is a TCPIP.DATA statement (the resolver's and applications' configuration), " +
		"not a profile statement: move it to the TCPIP.DATA data set."
}
