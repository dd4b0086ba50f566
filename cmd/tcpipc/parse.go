package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tcpipc/tcpipc/diag"
	"github.com/tcpipc/tcpipc/grammar/policy"
	"github.com/tcpipc/tcpipc/grammar/profile"
	"github.com/tcpipc/tcpipc/grammar/source"
	"github.com/tcpipc/tcpipc/grammar/tcpipdata"
	"github.com/tcpipc/tcpipc/model"
)

// parsedFile is what parse prints for any kind of file.
type parsedFile interface {
	WriteTree(io.Writer) error
	JSON() any
	Sources() diag.Sources
}

// profileFile adapts a parsed profile.
type profileFile struct{ *profile.Profile }

func newParseCommand() *cobra.Command {
	var format, encoding, kind string
	var allow []string
	cmd := &cobra.Command{
		Use:   "parse [flags] FILE...",
		Short: "Print the syntax tree and syntax diagnostics of profiles, policy and IKED files",
		Long: `parse reads each file and prints its syntax tree, then every syntax problem.
A file is a TCP/IP profile (with the members it INCLUDEs, found next to it by
member name, and never outside its directory unless --allow-outside allows
one), a Policy Agent main or image file, an IPsec, AT-TLS, IDS, QoS or
routing policy file, an iked.conf, a TCPIP.DATA file or the resolver setup
file; --kind names it, or tcpipc guesses from the name (pagent.conf,
iked.conf, TCPIP.DATA) and the content.

Formats: text (tree on stdout, diagnostics on stderr), json (one document
with trees and diagnostics), summary (a line per file, then diagnostics).
Exit code 1 when any file has a syntax error, 2 when one cannot be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc, err := checkParseFlags(format, encoding, kind)
			if err != nil {
				return err
			}
			r := &parseRun{format: format, kind: kind, enc: enc, allow: allow, out: cmd.OutOrStdout(), sources: diag.Sources{}}
			for _, path := range args {
				if err := r.file(path); err != nil {
					return err
				}
			}
			return r.finish(cmd.ErrOrStderr())
		},
	}
	registerParseFlags(cmd, &format, &encoding, &kind, &allow)
	return cmd
}

// parseRun is one parse command: the files' trees written as they are
// parsed, their diagnostics gathered for the end.
type parseRun struct {
	format, kind string
	enc          source.Encoding
	allow        []string
	out          io.Writer
	all          diag.Diagnostics
	sources      diag.Sources
	parsed       []parsedFile // for --format json
}

// file parses one file and writes its tree (text) or its line (summary).
func (r *parseRun) file(path string) error {
	if err := statPath(path); err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usageError("%s is a directory: parse reads files (a profile, pagent.conf, a policy file or iked.conf); to check a whole sysplex directory, use tcpipc lint %s", path, path)
	}
	// A profile's tree is written as it is parsed (text), or only
	// counted (summary): not kept whole in memory.
	var tree *profile.TreeWriter
	var emit func(profile.Statement)
	switch r.format {
	case "text":
		tree = profile.NewTreeWriter(r.out)
		emit = tree.Statement
	case "summary":
		emit = func(profile.Statement) {}
	}
	prof, ds, n := parseAny(path, r.kind, r.enc, r.allow, emit)
	ds.Sort()
	for n, text := range prof.Sources() {
		r.sources[n] = text
	}
	r.all = append(r.all, ds...)
	switch r.format {
	case "text":
		if pf, ok := prof.(streamedProfile); ok {
			return tree.Finish(pf.TrailingComments)
		}
		return prof.WriteTree(r.out)
	case "json":
		r.parsed = append(r.parsed, prof)
	case "summary":
		fmt.Fprintf(r.out, "%s: %d statements, %d errors, %d warnings, %d infos\n",
			diag.DisplayPath(path), n,
			ds.Count(diag.Error), ds.Count(diag.Warning)-ds.Count(diag.Error),
			ds.Count(diag.Info)-ds.Count(diag.Warning))
	}
	return nil
}

// finish writes the JSON document or the diagnostics, and says how the
// command ends.
func (r *parseRun) finish(stderr io.Writer) error {
	if r.format == "json" {
		if err := writeParseJSON(r.out, r.parsed, r.all); err != nil {
			return err
		}
	} else {
		w := stderr
		if r.format == "summary" {
			w = r.out
		}
		if err := diag.WriteText(w, r.all, r.sources); err != nil {
			return err
		}
	}
	if err := readFailure(r.all); err != nil {
		return err
	}
	if r.all.HasErrors() {
		return findings
	}
	return nil
}

// writeParseJSON writes parse's JSON document: {"diagnostics": […],
// "files": […]}, the bytes encoding/json writes for that map indented by
// two spaces. A profile streams its tree (profile.WriteIndentedJSON);
// building it as maps and encoding it in one piece took 30 times as long
// as parsing it.
func writeParseJSON(w io.Writer, files []parsedFile, ds diag.Diagnostics) error {
	b := bufio.NewWriterSize(w, 64<<10)
	diags, err := json.MarshalIndent(displayDiagnostics(ds), "  ", "  ")
	if err != nil {
		return err
	}
	b.WriteString("{\n  \"diagnostics\": ")
	b.Write(diags)
	b.WriteString(",\n  \"files\": ")
	if len(files) == 0 {
		b.WriteString("[]")
	} else {
		b.WriteByte('[')
		for i, f := range files {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			if err := writeFileJSON(b, f, "    "); err != nil {
				return err
			}
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	return b.Flush()
}

// writeFileJSON writes one file's tree at the given indentation prefix.
func writeFileJSON(w io.Writer, f parsedFile, prefix string) error {
	if s, ok := f.(interface {
		WriteIndentedJSON(io.Writer, string) error
	}); ok {
		return s.WriteIndentedJSON(w, prefix)
	}
	data, err := json.MarshalIndent(f.JSON(), prefix, "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// registerParseFlags wires the flags of tcpipc parse.
func registerParseFlags(cmd *cobra.Command, format, encoding, kind *string, allow *[]string) {
	registerAllowOutside(cmd, allow)
	cmd.Flags().StringVar(format, "format", "text", "output format: text, json or summary")
	cmd.Flags().StringVar(encoding, "encoding", "auto", "file encoding: auto, utf-8 or ibm-1047")
	cmd.Flags().StringVar(kind, "kind", "auto", "file kind: auto, profile, tcpipdata, resolversetup, pagent, policy, iked, ttls, ids, qos or routing")
}

// checkParseFlags refuses a --format or --kind parse does not know and
// returns the --encoding asked for.
func checkParseFlags(format, encoding, kind string) (source.Encoding, error) {
	enc, err := source.ParseEncoding(encoding)
	if err != nil {
		return enc, usageError("%v", err)
	}
	if format != "text" && format != "json" && format != "summary" {
		return enc, usageError("unknown --format %q (want text, json or summary)", format)
	}
	if kind != "auto" && kind != "profile" && kind != model.KindTCPIPData && kind != model.KindSetup {
		if _, err := policy.ParseKind(kind); err != nil {
			return enc, usageError("unknown --kind %q (want auto, profile, tcpipdata, resolversetup, pagent, policy, iked, ttls, ids, qos or routing)", kind)
		}
	}
	return enc, nil
}

// streamedProfile is a profile whose statements went to parseAny's emit
// instead of being kept.
type streamedProfile struct{ profileFile }

// parseAny parses a file of the given (or guessed) kind; it returns the
// file, its diagnostics and its number of top-level statements. A profile
// with emit set is streamed (profile.StreamFile): its statements go to
// emit, and the file returned is a streamedProfile.
func parseAny(path, kind string, enc source.Encoding, allow []string, emit func(profile.Statement)) (parsedFile, diag.Diagnostics, int) {
	// The profile is the file named; what it includes stays in its
	// directory, as in lint.
	root := model.NewFileRoot(path, allow)
	var data []byte // the file, when guessing its kind read it
	if kind == "auto" {
		kind, data = guessKind(path, root.ReadFile)
	}
	if kind == "profile" {
		read := root.ReadFile
		if data != nil {
			// Read once: a large profile costs a tenth of the command
			// per read and decode. The bytes go to the parse, which keeps
			// them rather than a copy.
			read = func(p string) ([]byte, error) {
				if p == path && data != nil {
					d := data
					data = nil
					return d, nil
				}
				return root.ReadFile(p)
			}
		}
		opts := profile.Options{Encoding: enc, ReadFile: read, Resolver: profile.DirResolver{Stat: root.Stat}}
		if emit != nil {
			prof, ds, n := profile.StreamFile(path, opts, emit)
			return streamedProfile{profileFile{prof}}, ds, n
		}
		prof, ds := profile.ParseFile(path, opts)
		return profileFile{prof}, ds, len(prof.Statements)
	}
	if kind == model.KindTCPIPData || kind == model.KindSetup {
		f, ds := parseResolverFile(path, kind, enc, root.ReadFile, data)
		return f, ds, len(f.Statements)
	}
	k, _ := policy.ParseKind(kind)
	f, ds := policy.ParseFile(path, policy.Options{Encoding: enc, Kind: k})
	return f, ds, len(f.Entries)
}

// parseResolverFile parses a TCPIP.DATA or resolver setup file, from the
// bytes guessing its kind read (data) or read now.
func parseResolverFile(path, kind string, enc source.Encoding, read func(string) ([]byte, error), data []byte) (*tcpipdata.File, diag.Diagnostics) {
	if data == nil {
		var err error
		if data, err = read(path); err != nil {
			return tcpipdata.ParseFile(path, kind, model.TCPIPDataOptions(enc)) // reports the error
		}
	}
	if kind == model.KindSetup {
		return tcpipdata.ParseSetup(path, data, model.TCPIPDataOptions(enc))
	}
	return tcpipdata.Parse(path, data, model.TCPIPDataOptions(enc))
}

// guessKind names a file's kind from its name (iked.conf, pagent.conf,
// *.image), else says whether it is a profile, a policy-family file or
// TCPIP.DATA the way lint tells loose files apart (model.LooseKind); the
// policy parser then guesses the exact kind from the statements. Another name that
// begins with pagent is only a policy-family file: z/OS sites name their
// AT-TLS and IPsec members PAGENTxx as well as the main file. When it
// reads the file to tell, it returns the bytes read (nil when the read
// failed: parsing reports it).
func guessKind(path string, read func(string) ([]byte, error)) (string, []byte) {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case base == "iked.conf" || strings.HasSuffix(base, ".iked"):
		return "iked", nil
	case base == "pagent.conf" || strings.HasSuffix(base, ".image"):
		return "pagent", nil
	case model.IsPolicyName(path):
		return "auto", nil
	case model.ResolverKindByName(path) != "":
		return model.ResolverKindByName(path), nil
	}
	data, err := read(path)
	if err != nil {
		return "profile", nil
	}
	switch k := model.LooseKindText(path, data); k {
	case model.KindPolicy:
		return "auto", nil
	case model.KindTCPIPData, model.KindSetup:
		return k, data
	}
	return "profile", data
}

// displayDiagnostics copies diagnostics with paths in display form.
func displayDiagnostics(ds diag.Diagnostics) diag.Diagnostics {
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		c := *d
		c.Range.File = diag.DisplayPath(c.Range.File)
		out[i] = &c
	}
	return out
}
