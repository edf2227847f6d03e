// The verdicts of `dirmailctl kerberos check`; see keytab_check.hpp.
#include "dirmail/auth/keytab_check.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "dirmail/base/strings.hpp"

namespace dirmail::auth {
namespace {

constexpr std::int32_t krb_rc4 = 23, krb_aes128 = 17, krb_aes256 = 18;

CheckLine line(CheckLevel level, std::string check, std::string detail, std::string fix = {}) {
  return CheckLine{level, std::move(check), std::move(detail), std::move(fix)};
}

std::string account_or_placeholder(const KeytabCheckTarget& t) {
  return t.account.empty() ? std::string("SERVICE-ACCOUNT") : t.account;
}

std::string full_principal(std::string_view spn, const KeytabCheckTarget& t) {
  return std::string(spn) + "@" + t.realm;
}

// The keytab entries for one principal (the realm compared without regard to case,
// as AD does).
std::vector<KeytabEntry> entries_for(const std::vector<KeytabEntry>& entries, const std::string& principal) {
  std::vector<KeytabEntry> out;
  for (const auto& e : entries)
    if (iequals(e.principal, principal)) out.push_back(e);
  return out;
}

// How to write a fresh keytab for one SPN, on a Samba DC and on Windows.
std::string export_fix(std::string_view spn, const KeytabCheckTarget& t) {
  std::string p = full_principal(spn, t);
  return "samba-tool domain exportkeytab " + t.keytab + " --principal=" + p +
         " (Windows: ktpass -out " + t.keytab + " -princ " + p + " -mapuser " + account_or_placeholder(t) +
         " -crypto AES256-SHA1 -ptype KRB5_NT_PRINCIPAL -pass *)";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
  return out;
}

std::string ad_enctype_names(std::uint32_t mask) {
  std::vector<std::string> names;
  if (mask & 0x1) names.push_back("des-cbc-crc");
  if (mask & 0x2) names.push_back("des-cbc-md5");
  if (mask & ad_enctype_rc4) names.push_back(enctype_name(krb_rc4));
  if (mask & ad_enctype_aes128) names.push_back(enctype_name(krb_aes128));
  if (mask & ad_enctype_aes256) names.push_back(enctype_name(krb_aes256));
  return names.empty() ? std::string("none") : join(names);
}

std::uint32_t ad_bit_of(std::int32_t enctype) {
  switch (enctype) {
    case 1: return 0x1;
    case 3: return 0x2;
    case krb_rc4: return ad_enctype_rc4;
    case krb_aes128: return ad_enctype_aes128;
    case krb_aes256: return ad_enctype_aes256;
    default: return 0;  // AD has no other enctype (aes-sha2, camellia)
  }
}

std::string strip_dot(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return to_lower(name);
}

}  // namespace

std::string_view to_string(CheckLevel level) {
  switch (level) {
    case CheckLevel::ok: return "ok";
    case CheckLevel::warn: return "warn";
    case CheckLevel::fail: return "FAIL";
  }
  return "FAIL";
}

std::string format_check_line(const CheckLine& l) {
  std::string out = std::string(to_string(l.level)) + " " + l.check + ": " + l.detail;
  if (!l.fix.empty() && l.level != CheckLevel::ok) out += "; fix: " + l.fix;
  return out;
}

int check_exit_status(const std::vector<CheckLine>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const CheckLine& l) { return l.level == CheckLevel::fail; })
             ? 1
             : 0;
}

std::string service_principal_name(std::string_view service, std::string_view host) {
  return std::string(service) + "/" + strip_dot(host);
}

std::string enctype_name(std::int32_t enctype) {
  switch (enctype) {
    case 1: return "des-cbc-crc";
    case 3: return "des-cbc-md5";
    case krb_aes128: return "aes128-cts-hmac-sha1-96";
    case krb_aes256: return "aes256-cts-hmac-sha1-96";
    case 19: return "aes128-cts-hmac-sha256-128";
    case 20: return "aes256-cts-hmac-sha384-192";
    case krb_rc4: return "arcfour-hmac";
    case 25: return "camellia128-cts-cmac";
    case 26: return "camellia256-cts-cmac";
    default: return "enctype-" + std::to_string(enctype);
  }
}

CheckLine check_keytab_file(const KeytabFileFacts& f) {
  const std::string name = "keytab";
  if (!f.exists)
    return line(CheckLevel::fail, name, f.path + " does not exist",
                "export it on a DC: samba-tool domain exportkeytab " + f.path +
                    " --principal=SPN@REALM for each SPN (Windows: ktpass -out " + f.path + " ...), then copy it to both nodes");
  if (!f.readable)
    return line(CheckLevel::fail, name, f.path + " cannot be read: " + f.error,
                "chown root:dirmail " + f.path + " && chmod 0640 " + f.path);
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777u);
  if (f.mode & 0007u)
    return line(CheckLevel::fail, name, f.path + " is readable by others (mode " + mode + "): anyone can impersonate the service",
                "chmod 0640 " + f.path + " (owner root, group dirmail)");
  if (f.entries == 0)
    return line(CheckLevel::fail, name, f.path + " holds no keys", "samba-tool domain exportkeytab " + f.path +
                                                                         " --principal=SPN@REALM for each SPN");
  return line(CheckLevel::ok, name, f.path + " (mode " + mode + ", " + std::to_string(f.entries) + " keys)");
}

CheckLine check_principal_in_keytab(const std::vector<KeytabEntry>& entries, std::string_view spn,
                                    const KeytabCheckTarget& t) {
  std::string p = full_principal(spn, t);
  auto mine = entries_for(entries, p);
  if (mine.empty())
    return line(CheckLevel::fail, "principal " + p, "not in " + t.keytab, export_fix(spn, t));
  std::set<std::uint32_t> kvnos;
  for (const auto& e : mine) kvnos.insert(e.kvno);
  std::vector<std::string> k;
  for (auto v : kvnos) k.push_back(std::to_string(v));
  return line(CheckLevel::ok, "principal " + p, std::to_string(mine.size()) + " keys, kvno " + join(k));
}

CheckLine check_spn_owner(std::string_view spn, const std::vector<SpnOwner>& owners, const KeytabCheckTarget& t) {
  std::string name = "spn " + std::string(spn);
  if (owners.empty())
    return line(CheckLevel::fail, name, "no account in AD has this SPN",
                "samba-tool spn add " + std::string(spn) + " " + account_or_placeholder(t) + " (Windows: setspn -S " +
                    std::string(spn) + " " + account_or_placeholder(t) + ")");
  if (owners.size() == 1)
    return line(CheckLevel::ok, name, "on " + owners.front().sam_account_name + " (" + owners.front().dn + ")");
  // Duplicates: the KDC refuses to issue tickets for the SPN. Keep it on the service
  // account; remove it from every other one.
  std::vector<std::string> names, fixes;
  std::string keep = t.account.empty() ? owners.front().sam_account_name : t.account;
  for (const auto& o : owners) {
    names.push_back(o.sam_account_name);
    if (!iequals(o.sam_account_name, keep))
      fixes.push_back("samba-tool spn delete " + std::string(spn) + " " + o.sam_account_name + " (Windows: setspn -D " +
                      std::string(spn) + " " + o.sam_account_name + ")");
  }
  return line(CheckLevel::fail, name,
              "duplicate SPN on " + std::to_string(owners.size()) + " accounts: " + join(names) +
                  " (the KDC refuses tickets for it)",
              join(fixes));
}

CheckLine check_kvno(const std::vector<KeytabEntry>& entries, std::string_view spn, const SpnOwner& owner,
                     const KeytabCheckTarget& t) {
  std::string p = full_principal(spn, t);
  std::string name = "kvno " + p;
  if (!owner.kvno)
    return line(CheckLevel::warn, name, "AD did not return msDS-KeyVersionNumber of " + owner.sam_account_name +
                                            " (no right to read it?): cannot compare");
  auto mine = entries_for(entries, p);
  if (mine.empty()) return line(CheckLevel::fail, name, "no key in the keytab", export_fix(spn, t));
  std::set<std::uint32_t> kvnos;
  for (const auto& e : mine) kvnos.insert(e.kvno);
  std::string ad = std::to_string(*owner.kvno);
  if (kvnos.count(*owner.kvno))
    return line(CheckLevel::ok, name, "keytab and " + owner.sam_account_name + " are at kvno " + ad);
  std::vector<std::string> k;
  for (auto v : kvnos) k.push_back(std::to_string(v));
  return line(CheckLevel::fail, name,
              "keytab has kvno " + join(k) + ", AD account " + owner.sam_account_name + " is at kvno " + ad +
                  ": the keytab is stale (the account's password changed after the export)",
              "export a fresh keytab and copy it to both nodes: " + export_fix(spn, t));
}

CheckLine check_enctypes(const std::vector<KeytabEntry>& entries, std::string_view spn, const SpnOwner& owner,
                         const KeytabCheckTarget& t) {
  std::string p = full_principal(spn, t);
  std::string name = "enctypes " + p;
  std::set<std::int32_t> mine;
  for (const auto& e : entries_for(entries, p))
    if (!owner.kvno || e.kvno == *owner.kvno) mine.insert(e.enctype);
  if (mine.empty()) return line(CheckLevel::fail, name, "no key in the keytab at the account's kvno", export_fix(spn, t));
  std::vector<std::string> have;
  std::uint32_t keytab_bits = 0;
  for (auto e : mine) {
    have.push_back(enctype_name(e));
    keytab_bits |= ad_bit_of(e);
  }
  const std::string account = owner.sam_account_name;
  const std::string set_aes = "Set-ADUser " + account +
                              " -KerberosEncryptionType AES128,AES256 (Samba: set msDS-SupportedEncryptionTypes: 24 on " +
                              owner.dn + " with ldbedit or ldapmodify), then " + export_fix(spn, t);
  if (!owner.supported_enctypes) {
    // Unset: the KDC falls back to its defaults, RC4 on DCs before the 2022 updates.
    if (keytab_bits & ad_enctype_rc4)
      return line(CheckLevel::warn, name,
                  "msDS-SupportedEncryptionTypes is not set on " + account +
                      ": the KDC may pick RC4; keytab has " + join(have),
                  set_aes);
    return line(CheckLevel::warn, name,
                "msDS-SupportedEncryptionTypes is not set on " + account +
                    " and the keytab has no RC4 key: tickets work only where the DC defaults to AES; keytab has " +
                    join(have),
                set_aes);
  }
  std::uint32_t supported = *owner.supported_enctypes & 0x1F;
  std::uint32_t common = supported & keytab_bits;
  std::string facts = "keytab has " + join(have) + "; " + account + " supports " + ad_enctype_names(supported);
  if (common == 0) return line(CheckLevel::fail, name, "no common enctype: " + facts, set_aes);
  if (!(common & (ad_enctype_aes128 | ad_enctype_aes256)))
    return line(CheckLevel::warn, name, "RC4 only (weak, refused by hardened DCs): " + facts, set_aes);
  return line(CheckLevel::ok, name, facts);
}

Result<std::chrono::system_clock::time_point> parse_generalized_time(std::string_view s) {
  auto bad = [&](const char* why) {
    return make_error(ErrorCode::invalid_argument, std::string("generalized time: ") + why);
  };
  if (s.size() > max_generalized_time) return make_error(ErrorCode::limit_exceeded, "generalized time: too long");
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    out = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  int year, month, day, hour, minute, second = 0;
  if (!digits(0, 4, year) || !digits(4, 2, month) || !digits(6, 2, day) || !digits(8, 2, hour) ||
      !digits(10, 2, minute))
    return bad("expected YYYYMMDDHHMM");
  std::size_t pos = 12;
  if (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    if (!digits(pos, 2, second)) return bad("bad seconds");
    pos += 2;
  }
  // A fraction of a second: read and dropped (the check is in whole seconds).
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad("empty fraction");
  }
  int offset_minutes = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int hh, mm;
    if (!digits(pos + 1, 2, hh) || !digits(pos + 3, 2, mm) || hh > 23 || mm > 59) return bad("bad offset");
    offset_minutes = (s[pos] == '-' ? -1 : 1) * (hh * 60 + mm);
    pos += 5;
  } else {
    return bad("no time zone (Z or +hhmm)");
  }
  if (pos != s.size()) return bad("trailing characters");
  namespace chr = std::chrono;
  chr::year_month_day date{chr::year{year}, chr::month{static_cast<unsigned>(month)},
                           chr::day{static_cast<unsigned>(day)}};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return bad("no such date or time");
  auto t = chr::sys_days{date} + chr::hours{hour} + chr::minutes{minute} + chr::seconds{second} -
           chr::minutes{offset_minutes};
  return chr::time_point_cast<chr::system_clock::duration>(t);
}

CheckLine check_clock_skew(std::chrono::system_clock::time_point dc_time,
                           std::chrono::system_clock::time_point local_time, std::string_view dc,
                           std::chrono::seconds limit) {
  auto skew = std::chrono::duration_cast<std::chrono::seconds>(local_time - dc_time);
  auto magnitude = skew.count() < 0 ? -skew : skew;
  std::string detail = "local clock is " + std::to_string(magnitude.count()) + " s " +
                       (skew.count() < 0 ? "behind " : "ahead of ") + std::string(dc) + " (limit " +
                       std::to_string(limit.count()) + " s)";
  std::string fix = "chronyc makestep, and keep the clock in sync with the DC (\"server " + std::string(dc) +
                    " iburst\" in /etc/chrony/chrony.conf; ntpd/systemd-timesyncd alike)";
  if (magnitude > limit)
    return line(CheckLevel::fail, "clock", detail + ": Kerberos refuses every ticket (KRB_AP_ERR_SKEW)", fix);
  if (magnitude > limit / 5) return line(CheckLevel::warn, "clock", detail + ": drifting", fix);
  return line(CheckLevel::ok, "clock", detail);
}

CheckLine check_dns(const DnsFacts& f) {
  std::string name = "dns " + f.host;
  if (f.addresses.empty())
    return line(CheckLevel::warn, name,
                "does not resolve" + (f.forward_error.empty() ? std::string() : " (" + f.forward_error + ")") +
                    ": cannot compare forward and reverse DNS",
                "add an A record for the VIP (samba-tool dns add DC ZONE NAME A ADDRESS) and its PTR");
  std::vector<std::string> good, missing, wrong;
  std::string want = strip_dot(f.host);
  for (const auto& [address, reverse] : f.addresses) {
    if (!reverse)
      missing.push_back(address);
    else if (strip_dot(*reverse) == want)
      good.push_back(address);
    else
      wrong.push_back(address + " -> " + *reverse);
  }
  if (!wrong.empty()) {
    std::string fix;
    for (const auto& [address, reverse] : f.addresses)
      if (reverse && strip_dot(*reverse) != want)
        fix += (fix.empty() ? "" : "; ") + std::string("point the PTR of ") + address + " at " + want +
               " (samba-tool dns update DC REVERSE-ZONE RECORD PTR " + strip_dot(*reverse) + " " + want + ")";
    return line(CheckLevel::fail, name, "reverse DNS disagrees: " + join(wrong), fix);
  }
  if (good.empty())
    return line(CheckLevel::warn, name, "resolves to " + join(missing) + " but has no reverse (PTR) record",
                "samba-tool dns add DC REVERSE-ZONE RECORD PTR " + want);
  if (!missing.empty())
    return line(CheckLevel::warn, name,
                "maps back from " + join(good) + "; no PTR for " + join(missing),
                "samba-tool dns add DC REVERSE-ZONE RECORD PTR " + want);
  return line(CheckLevel::ok, name, "resolves to " + join(good) + " and back");
}

}  // namespace dirmail::auth
