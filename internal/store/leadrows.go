package store

// A lead's own rows, deleted by the store (migration 0046): on PostgreSQL
// a lead's tasks, their appraisals and its notes carry no foreign key to
// the lead or the task they belong to, whose cascades deleted them (a
// check per inserted row was a tenth of PostgreSQL's CPU per created lead;
// docs/decisions.md, "A lead's own rows are kept together by the store on
// PostgreSQL"). These deletes run on both engines: on SQLite the cascades
// have deleted the rows already and they find none. Each runs after the
// lead's or the tasks' own DELETE, in its transaction: a write that adds
// such rows holds the lead's row (lockLead), so it either committed before
// (and its rows are seen here) or finds the lead gone.

// deleteLeadRows deletes the tasks, appraisals and notes of lead id (the
// notes' versions go by their cascade).
func deleteLeadRows(c conn, id int64) error {
	for _, q := range []string{
		`DELETE FROM appraisals WHERE task_id IN (SELECT id FROM tasks WHERE lead_id = ?)`,
		`DELETE FROM notes WHERE task_id IN (SELECT id FROM tasks WHERE lead_id = ?)`,
		`DELETE FROM notes WHERE lead_id = ?`,
		`DELETE FROM tasks WHERE lead_id = ?`,
	} {
		if _, err := c.exec(q, id); err != nil {
			return err
		}
	}
	return nil
}

// deleteTaskRows deletes the appraisals and notes of the tasks ids (the
// notes' versions go by their cascade).
func deleteTaskRows(c conn, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	for _, table := range []string{"appraisals", "notes"} {
		if _, err := c.exec(`DELETE FROM `+table+` WHERE task_id IN `+in(len(ids)), anys(ids)...); err != nil {
			return err
		}
	}
	return nil
}
