"""One column, one role: a column named both as the label and as the prediction (or a group) is a usage error.

Without this check ``--label-col y --pred-col y`` reports accuracy 1.0 for every group, and a group
column equal to the label fails later with a message about 0/1 values.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import ParameterError


def check_roles(roles: Iterable[tuple[str, Sequence[str]]]) -> None:
    """ParameterError naming both roles when one column is given two; ``roles`` pairs a role (the
    parameter's name, e.g. ``label_col``) with the columns it names."""
    seen: dict[str, str] = {}
    for role, columns in roles:
        for column in columns:
            first = seen.setdefault(column, role)
            if first != role:
                raise ParameterError(f"`{first}` and `{role}` both name column {column!r}; give each role its "
                                     "own column")
