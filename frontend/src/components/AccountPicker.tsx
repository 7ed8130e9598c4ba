import { useApp } from "../context";
import { accountLabel } from "../format";

/** Choose the account a page works on; shared across pages. */
export function AccountPicker({ label = "Account" }: { label?: string }) {
  const { accounts, accountId, setAccountId } = useApp();
  if (accounts.length <= 1) return null;
  return (
    <label className="field inline">
      <span>{label}</span>
      <select value={accountId ?? ""} onChange={(event) => setAccountId(event.target.value)}>
        {accounts.map((account) => (
          <option key={account.id} value={account.id}>
            {accountLabel(account)} ({account.brokerage_name}, {account.environment})
          </option>
        ))}
      </select>
    </label>
  );
}
