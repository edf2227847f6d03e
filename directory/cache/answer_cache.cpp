// AnswerCache is a template (answer_cache.hpp); this file instantiates the two caches
// the directory backends use, so their code is compiled once.
#include "dirmail/directory/answer_cache.hpp"

#include "dirmail/directory/directory.hpp"

namespace dirmail::directory {

template class AnswerCache<Account>;
template class AnswerCache<Recipient>;

}  // namespace dirmail::directory
