"""Central government services that match a council service, by hand: a GOV.UK service in the
transactions explorer (by its published name) → the LGSL code of the council service it is
comparable with. Shown as a reference beside the peers, never in their quartiles. Kept short on
purpose: only services where the resident does the same thing, whoever runs it."""

GOVUK_LGSL: dict[str, int] = {
    # Copies of certificates: the General Register Office's orders and a register office's.
    "Orders for a copy of a birth, death or marriage certificate": 663,
    "Re-registrations of births": 320,
    "Voter registrations": 364,  # Electoral register
    # GOV.UK's licensing service took applications for councils' licences.
    "Online applications for local and regulatory authority licences": 860,
    "Carer's Allowance: new claims": 1437,
}
