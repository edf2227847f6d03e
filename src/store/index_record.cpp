#include "dirmail/store/index_record.hpp"

#include <charconv>
#include <vector>

#include <fmt/format.h>

#include "dirmail/base/strings.hpp"
#include "message_names.hpp"

namespace dirmail::store {
namespace {

Error corrupt(std::string_view why) {
  return make_error(ErrorCode::io_error, "index record damaged: " + std::string(why));
}

template <typename T>
bool parse_number(std::string_view text, T& out, int base = 10) {
  if (text.empty() || text.size() > 20) return false;
  if (text.front() == '+') return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && ptr == text.data() + text.size();
}

bool parse_uid(std::string_view text, std::uint32_t& uid) {
  // UID 0 is invalid in IMAP; UINT32_MAX is kept free so uidnext always fits.
  return parse_number(text, uid) && uid != 0 && uid != UINT32_MAX;
}

bool parse_flags(std::string_view text, std::uint8_t& flags) {
  unsigned value = 0;
  if (!parse_number(text, value) || (value & ~static_cast<unsigned>(kAllFlags)) != 0) return false;
  flags = static_cast<std::uint8_t>(value);
  return true;
}

std::string payload_of(const IndexRecord& record) {
  struct Visitor {
    std::string operator()(const IndexHeader& h) const {
      return fmt::format("H {} {} {:016x}", h.uidvalidity, h.uidnext, h.generation);
    }
    std::string operator()(const IndexAdd& a) const {
      return fmt::format("A {} {} {} {} {} {}", a.info.uid, a.info.size, a.info.internal_date,
                         static_cast<unsigned>(a.info.flags), a.info.uidl, a.file);
    }
    std::string operator()(const IndexFlags& f) const {
      return fmt::format("F {} {}", f.uid, static_cast<unsigned>(f.flags));
    }
    std::string operator()(const IndexExpunge& x) const { return fmt::format("X {}", x.uid); }
  };
  return std::visit(Visitor{}, record);
}

}  // namespace

std::string format_index_record(const IndexRecord& record) {
  std::string payload = payload_of(record);
  return fmt::format("{:08x} {}\n", fnv1a32(payload), payload);
}

Result<IndexRecord> parse_index_record(std::string_view line) {
  if (line.size() + 1 > kMaxIndexRecordBytes) return corrupt("too long");
  if (line.size() < 11 || line[8] != ' ') return corrupt("too short");
  std::uint32_t checksum = 0;
  if (!parse_number(line.substr(0, 8), checksum, 16)) return corrupt("bad checksum field");
  std::string_view payload = line.substr(9);
  if (fnv1a32(payload) != checksum) return corrupt("checksum mismatch");

  auto fields = split(payload, ' ');
  if (fields[0] == "H" && fields.size() == 4) {
    IndexHeader h;
    if (!parse_number(fields[1], h.uidvalidity) || h.uidvalidity == 0) return corrupt("bad uidvalidity");
    if (!parse_number(fields[2], h.uidnext) || h.uidnext == 0) return corrupt("bad uidnext");
    if (fields[3].size() != 16 || !parse_number(fields[3], h.generation, 16)) return corrupt("bad generation");
    return IndexRecord{h};
  }
  if (fields[0] == "A" && fields.size() == 7) {
    IndexAdd a;
    if (!parse_uid(fields[1], a.info.uid)) return corrupt("bad uid");
    if (!parse_number(fields[2], a.info.size)) return corrupt("bad size");
    if (!parse_number(fields[3], a.info.internal_date)) return corrupt("bad date");
    if (!parse_flags(fields[4], a.info.flags)) return corrupt("bad flags");
    if (!valid_uidl(fields[5])) return corrupt("bad uidl");
    if (!valid_message_file_name(fields[6])) return corrupt("bad file name");
    a.info.uidl = std::string(fields[5]);
    a.file = std::string(fields[6]);
    return IndexRecord{std::move(a)};
  }
  if (fields[0] == "F" && fields.size() == 3) {
    IndexFlags f;
    if (!parse_uid(fields[1], f.uid)) return corrupt("bad uid");
    if (!parse_flags(fields[2], f.flags)) return corrupt("bad flags");
    return IndexRecord{f};
  }
  if (fields[0] == "X" && fields.size() == 2) {
    IndexExpunge x;
    if (!parse_uid(fields[1], x.uid)) return corrupt("bad uid");
    return IndexRecord{x};
  }
  return corrupt("unknown record");
}

}  // namespace dirmail::store
