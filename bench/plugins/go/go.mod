module github.com/portable-plugins/bench/plugins/go

go 1.25.4

require (
	github.com/lf-edge/ekuiper/sdk/go v0.0.0-20260724094635-0014e7fab0dd
	github.com/sirupsen/logrus v1.9.3
)

require (
	github.com/Microsoft/go-winio v0.6.0 // indirect
	github.com/keepeye/logrus-filename v0.0.0-20190711075016-ce01a4391dd1 // indirect
	go.nanomsg.org/mangos/v3 v3.4.2 // indirect
	golang.org/x/mod v0.8.0 // indirect
	golang.org/x/sys v0.5.0 // indirect
	golang.org/x/tools v0.6.0 // indirect
)
