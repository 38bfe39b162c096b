// The bench function: returns its first argument.
package main

import sdk "github.com/lf-edge/ekuiper/sdk/go/api"

type benchEcho struct{}

func (benchEcho) Validate([]interface{}) error { return nil }

func (benchEcho) Exec(args []interface{}, _ sdk.FunctionContext) (interface{}, bool) {
	if len(args) == 0 {
		return nil, true
	}
	return args[0], true
}

func (benchEcho) IsAggregate() bool { return false }
