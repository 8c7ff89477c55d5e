"""ICS, the Integrated Collection System, as far as FTD Alerts need it (IRM 5.7.1).

* `config` -- the data in tables/ics_lists.yaml (the FTD Alert model, tables/ftd_alert_model.yaml, is read by
  `idrs_sim.rules.ftd_alerts`);
* `cases`  -- case history, the 7/25-day timers, the 60/75/90-day notification, closing
  and systemic closures;
* `closing` -- the closing guards: the evidence each closing code needs (`evidence:` in
  tables/ics_lists.yaml);
* `letters` -- the Letter 5857 and Letter 5664 tables computed from IDRS.

The Master File side (alert selection and issuance) is the rules of
`idrs_sim.rules.ftd_alerts`, executed by the posting rule `idrs_sim.posting.ftd_alerts`;
the terminal screens are `idrs_sim.cc.ics`.
"""
