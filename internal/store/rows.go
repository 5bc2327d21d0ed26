package store

import (
	"strconv"
	"strings"
)

// maxRowsPerInsert bounds the rows insertRows puts in one statement (a
// lead's notes are bounded by core.MaxItems; this keeps any statement far
// below SQLite's limit of bound variables).
const maxRowsPerInsert = 64

// insertRows inserts rows in their order, each run of rows of the same
// table and columns in one multi-row INSERT on SQLite, and calls each
// row's stored with its id. On SQLite the one writer inserts a
// statement's rows one after the other, so their ids are the consecutive
// ones that end with the last one assigned; on PostgreSQL, which does not
// promise RETURNING's order, each row is inserted alone (a new lead's rows
// are batched there anyway, see pgbatch.go).
func (c conn) insertRows(rows []newRow) error {
	for len(rows) > 0 {
		n := 1
		for !c.pg && n < len(rows) && n < maxRowsPerInsert && rows[n].table == rows[0].table && rows[n].cols == rows[0].cols {
			n++
		}
		if n == 1 {
			if err := c.insertRow(rows[0]); err != nil {
				return err
			}
			rows = rows[1:]
			continue
		}
		run := rows[:n]
		args := make([]any, 0, n*len(run[0].args))
		for _, r := range run {
			args = append(args, r.args...)
		}
		res, err := c.exec(multiInsertSQL(run[0], n), args...)
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i, r := range run {
			r.stored(last - int64(n-1-i))
		}
		rows = rows[n:]
	}
	return nil
}

// multiInsertSQL is the INSERT of n rows like r, built once for each
// table, columns and n (insertSQLs).
func multiInsertSQL(r newRow, n int) string {
	key := [2]string{r.table, r.cols + "\x00" + strconv.Itoa(n)}
	insertSQLs.RLock()
	q, ok := insertSQLs.m[key]
	insertSQLs.RUnlock()
	if ok {
		return q
	}
	q = "INSERT INTO " + r.table + " (" + r.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(in(len(r.args))+", ", n), ", ")
	insertSQLs.Lock()
	if insertSQLs.m == nil {
		insertSQLs.m = map[[2]string]string{}
	}
	insertSQLs.m[key] = q
	insertSQLs.Unlock()
	return q
}
