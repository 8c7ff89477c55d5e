"""The `employees:` section: IDRS numbers, names, roles, passwords (fixtures) or password
hashes (dumps), the employee's own and related TINs (UNAX), and the Appeals TDC fields
(`acds_data.employee_fields`).
"""

from __future__ import annotations

from .. import acds_data  # Appeals TDC (issue 26)
from ..fixture_compose import _p
from ..security import is_password_hash
from .fields import FieldChecks
from .schema import EIN_RE, EMPLOYEE_KEYS, SSN_RE, _close_match


class EmployeeSection(FieldChecks):
    """One employee of the `employees:` list -> a row of `Rows.employees`."""

    def employee(self, node: dict) -> None:
        self.keys(node, EMPLOYEE_KEYS, "employee")
        idrs = self.idrs(node, "idrs", required=True)
        name = self.text(node, "name", 40, required=True)
        roles = node.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        good_roles: list[str] = []
        if not isinstance(roles, list):
            self.err(node, "roles", "roles: must be a list")
        else:
            for role in roles:
                if role not in self.codes.roles:
                    hint = _close_match(str(role), set(self.codes.roles))
                    self.err(node, "roles", f"unknown role {role!r}" + (f" (did you mean {hint!r}?)" if hint else "")
                             + "; roles: " + ", ".join(self.codes.roles))  # the list itself: an installed
                    # package has no tables/ folder in the user's tree to look in (review 2026-12-08)
                else:
                    good_roles.append(role)
        password, pw_hash = node.get("password"), node.get("password_hash")
        if password is not None and pw_hash is not None:
            self.err(node, "password_hash", "give password (fixtures) or password_hash (dumps), not both")
        elif password is None and pw_hash is None and not self.data.get("format"):
            # A dump (it names its format) may leave hashes out: that employee loads with no
            # password (see _employee_hashes).  A fixture must give one.
            self.err(node, None, "employee: password is required (dumps carry password_hash)")
        elif password is not None and (not isinstance(password, (str, int)) or isinstance(password, bool) or str(password) == ""):
            self.err(node, "password", "password: must be non-empty text")
        elif pw_hash is not None and (not isinstance(pw_hash, str) or not is_password_hash(pw_hash)):
            self.err(node, "password_hash", "password_hash: not a hash written by idrs-sim "
                                            "(scrypt$<32 hex digits of salt>$<64 hex digits of hash>)")
        own = self.tin(node, "own_tin")
        related = node.get("related_tins") or []
        if not isinstance(related, list) or not all(isinstance(t, str) for t in related):
            self.err(node, "related_tins", "related_tins: must be a list of TINs")
            related = []
        for t in related:
            if not (SSN_RE.match(t) or EIN_RE.match(t)):
                self.err(node, "related_tins", f"related_tins: {t!r} is not a TIN in dashed form")
            else:
                self.fictitious(node, "related_tins", t)
        if idrs is not None:
            if idrs in self._idrs:
                first = self._idrs[idrs]
                self.err(node, "idrs", f"employee {idrs} is listed twice (also {first.file}:{first.line})")
                return
            self._idrs[idrs] = _p(node, "idrs", "", default_file=self.file)
        if idrs is None or name is None:
            return
        self.rows.employees.append(
            {
                "idrs": idrs,
                "name": name,
                "roles": good_roles,
                "unit": self.text(node, "unit", 20),
                "_password": str(password) if password is not None else None,
                "password_hash": pw_hash if isinstance(pw_hash, str) else None,
                "failed_signons": self.integer(node, "failed_signons", 0, 99) or 0,
                "locked": self.boolean(node, "locked", False),
                "own_tin": own,
                "related_tins": list(related),
                **acds_data.employee_fields(self, node),  # Appeals TDC (issue 26)
            }
        )
