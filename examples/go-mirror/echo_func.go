package main

import (
	"fmt"

	sdk "github.com/lf-edge/ekuiper/sdk/go/api"
)

// echoFunction returns its single argument unchanged.
type echoFunction struct{}

func (echoFunction) Validate(args []interface{}) error {
	if len(args) != 1 {
		return fmt.Errorf("echo takes exactly 1 argument, got %d", len(args))
	}
	return nil
}

func (echoFunction) Exec(args []interface{}, _ sdk.FunctionContext) (interface{}, bool) {
	if len(args) != 1 {
		return fmt.Sprintf("echo takes exactly 1 argument, got %d", len(args)), false
	}
	return args[0], true
}

func (echoFunction) IsAggregate() bool { return false }
