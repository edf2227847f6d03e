#include "user_row.hpp"

namespace dirmail::directory {

LocalUser read_user_row(const SqliteStatement& stmt) {
  LocalUser user;
  user.account.name = stmt.column_text(0);
  user.account.domain = stmt.column_text(1);
  user.account.display_name = stmt.column_text(2);
  user.account.home = stmt.column_text(3);
  std::int64_t limit = stmt.column_int(4);
  user.account.mailbox_limit = limit > 0 ? static_cast<std::uint64_t>(limit) : 0;
  user.enabled = stmt.column_int(5) != 0;
  user.account.state = user.enabled ? AccountState::active : AccountState::disabled;
  user.account.may_log_in = user.enabled;
  user.account.may_receive = user.enabled;
  user.account.require_smtp_auth = stmt.column_int(6) != 0;
  user.created_at = stmt.column_int(7);
  return user;
}

}  // namespace dirmail::directory
