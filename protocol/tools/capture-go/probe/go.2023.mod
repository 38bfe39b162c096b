// The capture probe (main.go) against the 2023 eKuiper Go SDK that eKuiper's own example pins.
module github.com/portable-plugins/protocol/tools/capture-go/probe

go 1.18

require github.com/lf-edge/ekuiper/sdk/go v0.0.0-20230228010431-a650d6d53ecb

require (
	github.com/Microsoft/go-winio v0.4.11 // indirect
	github.com/keepeye/logrus-filename v0.0.0-20190711075016-ce01a4391dd1 // indirect
	github.com/sirupsen/logrus v1.8.1 // indirect
	go.nanomsg.org/mangos/v3 v3.2.1 // indirect
	golang.org/x/sys v0.0.0-20210510120138-977fb7262007 // indirect
)
