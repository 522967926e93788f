package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// errMalformed reports a response that is not valid HTTP/1.x.
var errMalformed = errors.New("malformed HTTP response")

// readResponse reads one complete HTTP/1.x response from br, discarding the
// body. It returns the status code and whether the connection must be closed
// afterwards (Connection: close, HTTP/1.0 without keep-alive, or a body
// delimited by EOF). It does not allocate for well-formed responses.
func readResponse(br *bufio.Reader) (status int, mustClose bool, err error) {
	return readResponseInto(br, nil)
}

// readResponseInto is readResponse that, when keep is not nil, stores the
// body in *keep (reusing its array) instead of discarding it.
func readResponseInto(br *bufio.Reader, keep *[]byte) (status int, mustClose bool, err error) {
	if keep != nil {
		*keep = (*keep)[:0]
	}
	line, err := readLine(br)
	if err != nil {
		return 0, true, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, true, fmt.Errorf("%w: status line %q", errMalformed, line)
	}
	http10 := line[7] == '0'
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return 0, true, fmt.Errorf("%w: status line %q", errMalformed, line)
		}
		status = status*10 + int(c-'0')
	}
	mustClose = http10

	contentLength := int64(-1)
	chunked := false
	for {
		line, err = readLine(br)
		if err != nil {
			return status, true, err
		}
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			return status, true, fmt.Errorf("%w: header line %q", errMalformed, line)
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDecimal(value)
			if !ok {
				return status, true, fmt.Errorf("%w: Content-Length %q", errMalformed, value)
			}
			contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = hasToken(value, "chunked")
		case bytes.EqualFold(name, []byte("Connection")):
			if hasToken(value, "close") {
				mustClose = true
			} else if hasToken(value, "keep-alive") {
				mustClose = false
			}
		}
	}

	switch {
	case status/100 == 1 || status == 204 || status == 304:
		return status, mustClose, nil // no body by definition
	case chunked:
		return status, mustClose, discardChunked(br, keep)
	case contentLength >= 0:
		if err := take(br, int(contentLength), keep); err != nil {
			return status, true, fmt.Errorf("reading body: %w", err)
		}
		return status, mustClose, nil
	default:
		// Body runs until the server closes the connection.
		var sink io.Writer = io.Discard
		if keep != nil {
			sink = (*sliceWriter)(keep)
		}
		if _, err := io.Copy(sink, br); err != nil {
			return status, true, fmt.Errorf("reading body: %w", err)
		}
		return status, true, nil
	}
}

// sliceWriter appends to a byte slice.
type sliceWriter []byte

func (w *sliceWriter) Write(p []byte) (int, error) {
	*w = append(*w, p...)
	return len(p), nil
}

// take discards n body bytes, or appends them to *keep when keep is not nil.
func take(br *bufio.Reader, n int, keep *[]byte) error {
	if keep == nil {
		_, err := br.Discard(n)
		return err
	}
	start := len(*keep)
	if cap(*keep)-start < n {
		grown := make([]byte, start, start+n)
		copy(grown, *keep)
		*keep = grown
	}
	*keep = (*keep)[:start+n]
	_, err := io.ReadFull(br, (*keep)[start:])
	return err
}

// discardChunked consumes a chunked body including its trailer section,
// keeping the data in *keep when keep is not nil.
func discardChunked(br *bufio.Reader, keep *[]byte) error {
	for {
		line, err := readLine(br)
		if err != nil {
			return fmt.Errorf("reading chunk size: %w", err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // drop chunk extensions
		}
		size, ok := parseHex(bytes.TrimSpace(line))
		if !ok {
			return fmt.Errorf("%w: chunk size %q", errMalformed, line)
		}
		if size == 0 {
			break
		}
		if err := take(br, int(size), keep); err != nil {
			return fmt.Errorf("reading chunk: %w", err)
		}
		if line, err = readLine(br); err != nil || len(line) != 0 {
			return fmt.Errorf("%w: missing CRLF after chunk", errMalformed)
		}
	}
	for { // trailer fields up to the final empty line
		line, err := readLine(br)
		if err != nil {
			return fmt.Errorf("reading trailer: %w", err)
		}
		if len(line) == 0 {
			return nil
		}
	}
}

// readLine returns the next line without its CRLF (or LF). The slice is only
// valid until the next read from br.
func readLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// hasToken reports whether the comma-separated header value v contains
// token, compared case-insensitively.
func hasToken(v []byte, token string) bool {
	for len(v) > 0 {
		var part []byte
		part, v, _ = bytes.Cut(v, []byte(","))
		if bytes.EqualFold(bytes.TrimSpace(part), []byte(token)) {
			return true
		}
	}
	return false
}

func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

func parseHex(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			n = n<<4 | int64(c-'0')
		case 'a' <= c && c <= 'f':
			n = n<<4 | int64(c-'a'+10)
		case 'A' <= c && c <= 'F':
			n = n<<4 | int64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return n, true
}
