/** The status rules' rank (src/domain/statusRules.ts) as a DuckDB expression over `status`, for the bare DuckDB comparisons. */
export const RANK_SQL = `CASE status WHEN 'accepted' THEN 1 WHEN 'scheduled' THEN 1 WHEN 'queued' THEN 1 WHEN 'sending' THEN 2 WHEN 'sent' THEN 3
    WHEN 'delivered' THEN 4 WHEN 'undelivered' THEN 4 WHEN 'failed' THEN 4 WHEN 'canceled' THEN 4 WHEN 'partially_delivered' THEN 4 WHEN 'read' THEN 5 ELSE 0 END`;
