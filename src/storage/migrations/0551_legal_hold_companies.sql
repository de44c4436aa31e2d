-- The companies a legal hold speaks for (core/holds/hold.ts holdCompanies): a hold on a data subject marks
-- only the placing company's rows (its own company); a hold on a system or collection marks every row there,
-- so it speaks for every company whose rows the system may hold, and placing, lifting and seeing it need the
-- role in each. Holds placed before this column: their company.
ALTER TABLE legal_holds ADD COLUMN companies text[];
UPDATE legal_holds SET companies = ARRAY[org_id];
ALTER TABLE legal_holds ALTER COLUMN companies SET NOT NULL;
CREATE INDEX legal_holds_companies ON legal_holds USING gin (companies);
