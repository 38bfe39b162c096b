"""`echo`: a scalar function that returns its single argument unchanged."""

from typing import Any, List

from ekuiper import Context, Function


class EchoFunction(Function):

    def validate(self, args: List[Any]) -> str:
        # The SDK treats any value other than the empty string as a failure and
        # sends it back as the error text, so success must be "" (not None).
        if not isinstance(args, list) or len(args) != 1:
            count = len(args) if isinstance(args, list) else 0
            return "echo takes exactly 1 argument, got {}".format(count)
        return ""

    def exec(self, args: List[Any], ctx: Context) -> Any:
        return args[0]

    def is_aggregate(self) -> bool:
        return False
