#pragma once
// The base subject of RFC 5256 §2.1, which SORT SUBJECT and THREAD compare: the
// Subject without "Re:", "Fwd:", "[list]" leaders, "(fwd)" trailers and "[fwd: ...]".
#include <string>
#include <string_view>

namespace dirmail::imap {

struct BaseSubject {
  std::string text;               // white space runs made one space; case kept
  bool reply_or_forward = false;  // a "Re:"/"Fw:"/"Fwd:" leader, "(fwd)" or "[fwd: ...]" was removed
};

// Encoded words (RFC 2047) are decoded to UTF-8 first, so "=?UTF-8?B?...?=" and the same
// text in ISO-2022-JP sort and thread together.
BaseSubject base_subject(std::string_view subject);

// The base subject in the form SORT and THREAD compare (i;ascii-casemap: ASCII upper case).
std::string subject_sort_key(std::string_view subject);

}  // namespace dirmail::imap
