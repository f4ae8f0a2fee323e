// Archives coded against a base model: finding the base's files and checking that they are the
// exact bytes the archive was made against, before anything is decoded or written.
#include <algorithm>
#include <string>

#include "container/base_model.hpp"
#include "lcl/container.hpp"
#include "lcl/error.hpp"
#include "util/sha256.hpp"

namespace lcl {

std::string BaseFile::sha256_hex() const {
  return to_hex(sha256);
}

namespace {

std::string describe(const BaseInfo& base, const BaseFile& file) {
  return base.name + " (" + file.name + ", sha256 " + file.sha256_hex() + ")";
}

}  // namespace

void Archive::require_base() const {
  if (!index_.base || !base_files_.empty()) return;
  std::string files;
  for (const BaseFile& f : index_.base->files)
    files += (files.empty() ? "" : ", ") + f.name + " (sha256 " + f.sha256_hex() + ")";
  throw Error(ErrorKind::kUsage, source_->name() + " was made against the base model " +
                                     index_.base->name + ": give it with --base (it needs " +
                                     files + ")");
}

void Archive::attach_base(std::vector<std::unique_ptr<ByteSource>> files) {
  if (!index_.base) return;
  const BaseInfo& base = *index_.base;
  if (files.size() != base.files.size())
    throw Error(ErrorKind::kUsage, "this archive was made against " + base.name + " with " +
                                       std::to_string(base.files.size()) + " files, " +
                                       std::to_string(files.size()) + " given");
  for (size_t i = 0; i < files.size(); ++i) {
    const BaseFile& expected = base.files[i];
    if (files[i]->size() != expected.size ||
        container::hash_whole_file(*files[i]) != expected.checksum)
      throw Error(ErrorKind::kUsage, "this archive was made against " + describe(base, expected) +
                                         ", the given base differs (" + files[i]->name() + ")");
  }
  base_files_ = std::move(files);
}

void Archive::attach_base(const std::filesystem::path& path) {
  if (!index_.base) return;
  std::vector<std::unique_ptr<ByteSource>> files;
  for (const BaseFile& file : index_.base->files) {
    const std::filesystem::path located =
        container::locate_base_file(path, file.name, index_.base->files.size());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(located, ec))
      throw Error(ErrorKind::kUsage, "this archive was made against " +
                                         describe(*index_.base, file) + ", which is not at " +
                                         located.string());
    files.push_back(std::make_unique<FileSource>(located));
  }
  attach_base(std::move(files));
}

}  // namespace lcl
