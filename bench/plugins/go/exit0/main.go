// Command exit0 does nothing: the cold-start floor for Go plugins (spawn to
// exit of a Go binary), as `node -e 0` and `python -c pass` are for the
// other languages.
package main

func main() {}
