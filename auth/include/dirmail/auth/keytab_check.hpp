#pragma once
// The judgements of `dirmailctl kerberos check`, the keytab doctor for the service
// keytab an active/standby pair shares: one SPN set (smtp/, imap/, pop/ on the VIP's
// host name) on one AD account. Pure functions over facts gathered elsewhere (the
// keytab's entries, the file's mode, AD's answers, the clocks, DNS), so each verdict
// and the command that fixes it can be tested without a KDC.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dirmail/base/result.hpp"

namespace dirmail::auth {

enum class CheckLevel { ok, warn, fail };
std::string_view to_string(CheckLevel level);  // "ok", "warn", "FAIL"

struct CheckLine {
  CheckLevel level = CheckLevel::ok;
  std::string check;   // what was checked: "keytab", "spn smtp/mail.corp.example.test", ...
  std::string detail;  // what was found
  std::string fix;     // warn and fail: the command(s) that fix it
};
// One line: "<level> <check>: <detail>", then "; fix: <fix>" when there is a fix.
std::string format_check_line(const CheckLine& line);
// 0 when no line failed (warnings are fine), 1 otherwise.
int check_exit_status(const std::vector<CheckLine>& lines);

// The services dirmail answers for, as SPN service classes.
inline constexpr std::array<std::string_view, 3> mail_services{"smtp", "imap", "pop"};
// "smtp/mail.corp.example.test": the host name in lower case, without a trailing dot.
std::string service_principal_name(std::string_view service, std::string_view host);

// Kerberos encryption types (RFC 3961 numbers) and AD's msDS-SupportedEncryptionTypes bits.
std::string enctype_name(std::int32_t enctype);
inline constexpr std::uint32_t ad_enctype_rc4 = 0x4, ad_enctype_aes128 = 0x8, ad_enctype_aes256 = 0x10;

struct KeytabEntry {
  std::string principal;  // "smtp/mail.corp.example.test@CORP.EXAMPLE.TEST"
  std::uint32_t kvno = 0;
  std::int32_t enctype = 0;
};

struct KeytabFileFacts {
  std::string path;
  bool exists = false;
  bool readable = false;      // by this process
  unsigned mode = 0;          // st_mode permission bits
  std::string error;          // why it could not be read, when it could not
  std::size_t entries = 0;    // keytab entries read
};
// 1. The file is there, readable by us, not by others (group is fine: dirmail's group).
CheckLine check_keytab_file(const KeytabFileFacts& facts);

// An AD account that holds an SPN, as the directory answered.
struct SpnOwner {
  std::string dn;
  std::string sam_account_name;
  std::optional<std::uint32_t> kvno;                // msDS-KeyVersionNumber
  std::optional<std::uint32_t> supported_enctypes;  // msDS-SupportedEncryptionTypes; unset: KDC default
};

// What every per-SPN check needs to write its fix.
struct KeytabCheckTarget {
  std::string keytab;   // path
  std::string realm;    // CORP.EXAMPLE.TEST
  std::string account;  // the service account, for fix commands; empty: a placeholder
};

// 2. The keytab holds spn@realm.
CheckLine check_principal_in_keytab(const std::vector<KeytabEntry>& entries, std::string_view spn,
                                    const KeytabCheckTarget& target);
// 3a. AD has the SPN on exactly one account.
CheckLine check_spn_owner(std::string_view spn, const std::vector<SpnOwner>& owners, const KeytabCheckTarget& target);
// 3b. The keytab has a key for spn@realm at the owner's current KVNO.
CheckLine check_kvno(const std::vector<KeytabEntry>& entries, std::string_view spn, const SpnOwner& owner,
                     const KeytabCheckTarget& target);
// 4. The keytab has a key of an enctype the owner supports; AES expected, RC4 only warned.
CheckLine check_enctypes(const std::vector<KeytabEntry>& entries, std::string_view spn, const SpnOwner& owner,
                         const KeytabCheckTarget& target);

// LDAP generalized time as AD's rootDSE currentTime gives it ("20261127053427.0Z",
// or with a +hhmm/-hhmm offset). At most max_generalized_time octets.
inline constexpr std::size_t max_generalized_time = 64;
Result<std::chrono::system_clock::time_point> parse_generalized_time(std::string_view text);

// krb5's default clockskew.
inline constexpr std::chrono::seconds kerberos_max_skew{300};
// 5. |dc - local| within the limit; warn past a fifth of it (the clock is drifting).
CheckLine check_clock_skew(std::chrono::system_clock::time_point dc_time,
                           std::chrono::system_clock::time_point local_time, std::string_view dc,
                           std::chrono::seconds limit = kerberos_max_skew);

struct DnsFacts {
  std::string host;
  std::string forward_error;  // getaddrinfo's message when the name did not resolve
  // Each address of the name, with its reverse (PTR) name; nullopt: no reverse name.
  std::vector<std::pair<std::string, std::optional<std::string>>> addresses;
};
// 6. Every address of the host maps back to the host. warn: nothing resolves (no
// record to compare); FAIL: a PTR names another host (Kerberos clients that
// canonicalize through reverse DNS ask for the wrong SPN).
CheckLine check_dns(const DnsFacts& facts);

}  // namespace dirmail::auth
