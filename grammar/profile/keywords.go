package profile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tcpipc/tcpipc/internal/suggest"
)

// keywordSpecs lists every keyword the grammars match, written as IBM's
// syntax diagrams write them: the upper-case leading part is the minimum
// abbreviation, the lower-case tail may be left off (VIPADEFine accepts
// VIPADEF, VIPADEFI, VIPADEFIN and VIPADEFINE). A keyword in capitals only
// cannot be abbreviated. DEVice, AUTOLog and ENDAUTOLog are written as
// IBM's TCPIPCS PROFILE sample writes them (IP Diagnosis Guide).
var keywordSpecs = []string{
	// Statements.
	"ARPAGE", "ATMARPSV", "ATMLIS", "ATMPVC", "AUTOLog", "BEGINROUTES", "BSDROUTINGPARMS",
	"DEFADDRTable", "DELETE", "DEVice", "GATEWAY", "GLOBALCONFig", "HOME", "INCLUDE",
	"INTERFace", "IPCONFig", "IPCONFIG6", "IPSEC", "ITRACE", "LINK", "NETACCESS", "NETMONITOR",
	"PKTTRACE", "PORT", "PORTRANGE", "PRIMARYINTERFACE", "SACONFig", "SMFCONFIG", "SMFPARMS",
	"SOMAXCONN", "SRCIP", "START", "STOP", "TCPCONFIG", "TRANSLATE", "UDPCONFIG", "VIPADynamic",
	"ASSORTEDPARMS", "KEEPALIVEOPTIONS",
	// The blocks of the TN3270 server that ran in the stack before V1R9
	// (model/removed.go): recognised so that a profile still carrying one
	// gets one finding, not one per Telnet statement inside it.
	"TELNETPARMS", "BEGINVTAM",
	// Block end statements.
	"ENDAUTOLog", "ENDROUTES", "ENDBSDROUTINGPARMS", "ENDIPSEC", "ENDNETACCESS", "ENDSRCIP",
	"ENDVIPADynamic", "ENDASSORTEDPARMS", "ENDKEEPALIVEOPTIONS", "ENDDEFADDRTable",
	"ENDTELNETPARMS", "ENDVTAM",
	// Statements inside blocks.
	"VIPADEFine", "VIPABackup", "VIPADELete", "VIPADISTribute", "VIPARange", "VIPAROUTE",
	"VIPASMparms", "IPSECRule", "IPSEC6Rule", "ROUTE",

	// IPSEC.
	"DVIPsec", "DVLOCALFLTR", "LOGDISable", "LOGENable", "NOLOGImplicit", "LOGImplicit", "LOG",
	"NOLOG", "PROTOcol", "SRCPort", "DESTport", "TYPE", "CODE", "ROUTING", "LOCAL", "ROUTED",
	"EITHER", "FRAGMENTSonly", "SECCLASS", "DIRECtion", "BIDIrectional", "INBound", "OUTBound",
	"INBConnect", "OUTBConnect",
	// IPCONFIG and IPCONFIG6.
	"IPSECURITY", "DYNAMICXCF", "NODYNAMICXCF", "SOURCEVIPA", "NOSOURCEVIPA", "TCPSTACKSOURCEVipa",
	"SYSPLEXROUTING", "NOSYSPLEXROUTING", "DATAGRamfwd", "NODATAGRAMFWD", "FWDMULTipath",
	"PERPacket", "SOURCEVIPAINTerface", "SMCD", "NOSMCD", "INTFID",
	// VIPADYNAMIC.
	"TIER1", "TIER2", "CPCSCOPE", "MOVEable", "IMMEDiate", "WHENIDLE", "NONDISRUPTive",
	"DISRUPTive", "SERVICEMGR", "DEFINE", "DELEte", "DISTMethod", "BASEWLM", "ROUNDROBIN",
	"SERVERWLM", "WEIGHTEDActive", "HOTSTANDBY", "TARGCONTROLLED", "OPTLOCAL", "NOOPTLOCAL",
	"SYSPLEXPorts", "TIMEDAFFinity", "PROCTYPE", "CP", "ZAAP", "ZIIP", "PROCXCOST", "ILWEIGHTING",
	"AUTOSWITCHBACK", "NOAUTOSWITCHBACK", "HEALTHSWITCH", "NOHEALTHSWITCH", "DESTIP", "ALL",
	"WEIGHT", "PREFERRED", "BACKUP", "SAF", "ZCX", "SMMASK", "DEFAULT",
	// GLOBALCONFIG.
	"XCFGRPid", "SYSPLEXMONitor", "AUTOREJOIN", "NOAUTOREJOIN", "DELAYJOIN", "NODELAYJOIN",
	"NOJOIN", "MONINTERFACE", "NOMONINTERFACE", "DYNROUTE", "NODYNROUTE", "RECOVERY",
	"NORECOVERY", "TIMERSECS", "SYSPLEXWLMPoll", "ECSALimit", "IQDVLANid", "TCPIPStatistics",
	// SRCIP.
	"DESTINATION", "JOBNAME", "CLIENTS", "SERVERS", "BOTH", "PUBLICADDRS", "TEMPADDRS",
	// PORT, PORTRANGE, AUTOLOG, BEGINROUTES.
	"TCP", "UDP", "BIND", "PARMSTRING", "DELAYSTART", "DVIPA", "TTLS", "MTU", "DEFAULT6",
}

// statementKeywords are the keywords that begin a statement somewhere in a
// profile. The lexer gives them their own token type so that the open-ended
// operand lists of DEVICE, LINK, TCPCONFIG, … stop in front of them.
var statementKeywords = []string{
	"ARPAGE", "ATMARPSV", "ATMLIS", "ATMPVC", "AUTOLOG", "BEGINROUTES", "BSDROUTINGPARMS",
	"DEFADDRTABLE", "DELETE", "DEVICE", "GATEWAY", "GLOBALCONFIG", "HOME", "INCLUDE",
	"INTERFACE", "IPCONFIG", "IPCONFIG6", "IPSEC", "ITRACE", "LINK", "NETACCESS", "NETMONITOR",
	"PKTTRACE", "PORT", "PORTRANGE", "PRIMARYINTERFACE", "SACONFIG", "SMFCONFIG", "SMFPARMS",
	"SOMAXCONN", "SRCIP", "START", "STOP", "TCPCONFIG", "TRANSLATE", "UDPCONFIG", "VIPADYNAMIC",
	"ASSORTEDPARMS", "KEEPALIVEOPTIONS", "TELNETPARMS", "BEGINVTAM",
	"ENDAUTOLOG", "ENDROUTES", "ENDBSDROUTINGPARMS", "ENDIPSEC", "ENDNETACCESS", "ENDSRCIP",
	"ENDVIPADYNAMIC", "ENDASSORTEDPARMS", "ENDKEEPALIVEOPTIONS", "ENDDEFADDRTABLE",
	"ENDTELNETPARMS", "ENDVTAM",
	"VIPADEFINE", "VIPABACKUP", "VIPADELETE", "VIPADISTRIBUTE", "VIPARANGE", "VIPAROUTE",
	"VIPASMPARMS", "IPSECRULE", "IPSEC6RULE", "ROUTE",
}

var (
	// spellings maps every accepted spelling of a keyword to its full form.
	spellings = map[string]string{}
	// isStatement holds the full forms of statement keywords.
	isStatement = map[string]bool{}
	// minLen is the length of each keyword's minimum abbreviation.
	minLen = map[string]int{}
	// keywords is the sorted list of full keyword forms, for suggestions.
	keywords = buildKeywordTables()
)

// buildKeywordTables fills spellings and isStatement and returns the sorted
// full forms. It runs as a variable initialiser so the tables exist before
// any init function (the statement table is built from them).
func buildKeywordTables() []string {
	var keywords []string
	for _, spec := range keywordSpecs {
		full := strings.ToUpper(spec)
		shortest := len(strings.TrimRight(spec, "abcdefghijklmnopqrstuvwxyz"))
		minLen[full] = shortest
		for n := shortest; n <= len(full); n++ {
			s := full[:n]
			if prev, ok := spellings[s]; ok && prev != full {
				// A full keyword beats another keyword's abbreviation.
				if s != full {
					continue
				}
			}
			spellings[s] = full
		}
		keywords = append(keywords, full)
	}
	for _, k := range statementKeywords {
		if _, ok := spellings[k]; !ok {
			panic(fmt.Sprintf("statement keyword %s missing from keywordSpecs", k))
		}
		isStatement[k] = true
	}
	sort.Strings(keywords)
	return keywords
}

// Canonical returns the full form of a keyword spelling (upper case), or
// "" when the word is no keyword.
func Canonical(word string) string { return spellings[strings.ToUpper(word)] }

// IsStatementKeyword reports whether the full keyword begins a statement.
func IsStatementKeyword(full string) bool { return isStatement[full] }

// Suggest returns the keyword among candidates closest to word, counting
// IBM's abbreviations of each as the keyword, or "" when none is close
// enough to be a likely typo.
func Suggest(word string, candidates []string) string {
	return suggest.Closest(word, candidates, func(c string) []string {
		shortest := minLen[c]
		if shortest == 0 {
			return nil
		}
		out := make([]string, 0, len(c)-shortest)
		for n := shortest; n < len(c); n++ {
			out = append(out, c[:n])
		}
		return out
	})
}
