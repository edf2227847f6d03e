#include "dirmail/directory/directory.hpp"

namespace dirmail::directory {

std::string_view to_string(AccountState state) {
  switch (state) {
    case AccountState::active: return "active";
    case AccountState::disabled: return "disabled";
    case AccountState::locked: return "locked";
    case AccountState::expired: return "expired";
    case AccountState::password_expired: return "password expired";
    case AccountState::must_change_password: return "must change password";
    case AccountState::not_mail_user: return "not a mail user";
  }
  return "unknown";
}

std::string_view to_string(AnswerSource source) {
  switch (source) {
    case AnswerSource::live: return "live";
    case AnswerSource::cache: return "cache";
    case AnswerSource::snapshot: return "snapshot";
  }
  return "unknown";
}

}  // namespace dirmail::directory
