// Outputs that must never be harmed and inputs whose size cannot be trusted: the output is never
// the input, devices and FIFOs are written into (never renamed over), other special files are
// refused as outputs, inputs without a meaningful size are read as streams, temporary files never
// outlive a run, and messages name the user's paths.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include "support/cli_runner.hpp"
#include "support/file_utils.hpp"
#include "support/test_paths.hpp"
#include "util/atomic_file.hpp"

namespace lcl {
namespace {

using namespace test::cli;

bool is_char_device(const std::filesystem::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

std::vector<std::string> entries(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Reads a FIFO to its end on a thread, as `cat fifo` would.
class FifoReader {
 public:
  explicit FifoReader(const std::filesystem::path& fifo)
      : thread_([this, fifo] {
          std::ifstream in(fifo, std::ios::binary);
          bytes_.assign(std::istreambuf_iterator<char>(in), {});
        }) {}
  std::vector<uint8_t> finish() {
    thread_.join();
    return std::vector<uint8_t>(bytes_.begin(), bytes_.end());
  }

 private:
  std::string bytes_;
  std::thread thread_;
};

TEST(OutputSafety, NeverWritesOverTheInput) {
  TempDir dir;
  const auto data = test::skewed_bytes(20000, 3);
  test::write_file(dir / "m.bin", data);
  for (const char* force : {"", "-f "}) {
    CliRun c = lcl("compress " + std::string(force) + q(dir / "m.bin") + " -o " + q(dir / "m.bin"));
    EXPECT_EQ(c.status, 1) << c.out;
    EXPECT_NE(c.out.find("is the input"), std::string::npos) << c.out;
    EXPECT_EQ(test::read_file(dir / "m.bin"), data);
  }
  // Through a symlink and a hard link: the same file all the same.
  std::filesystem::create_symlink(dir / "m.bin", dir / "link");
  std::filesystem::create_hard_link(dir / "m.bin", dir / "hard");
  EXPECT_EQ(lcl("compress -f " + q(dir / "m.bin") + " -o " + q(dir / "link")).status, 1);
  EXPECT_EQ(lcl("compress -f " + q(dir / "m.bin") + " -o " + q(dir / "hard")).status, 1);
  EXPECT_EQ(test::read_file(dir / "m.bin"), data);

  ASSERT_EQ(lcl("compress -q " + q(dir / "m.bin") + " -o " + q(dir / "m.lcl")).status, 0);
  const auto archive = test::read_file(dir / "m.lcl");
  CliRun d = lcl("decompress -f " + q(dir / "m.lcl") + " -o " + q(dir / "m.lcl"));
  EXPECT_EQ(d.status, 1) << d.out;
  EXPECT_EQ(test::read_file(dir / "m.lcl"), archive);
}

TEST(OutputSafety, WritesIntoCharacterDevicesInsteadOfReplacingThem) {
  TempDir dir;
  test::write_file(dir / "w.bin", test::skewed_bytes(300000, 4));
  ASSERT_EQ(lcl("compress -q " + q(dir / "w.bin")).status, 0);
  for (const char* force : {"", "-f "}) {
    CliRun d = lcl("decompress " + std::string(force) + q(dir / "w.bin.lcl") + " -o /dev/null");
    EXPECT_EQ(d.status, 0) << d.out;
    CliRun c = lcl("compress " + std::string(force) + q(dir / "w.bin") + " -o /dev/null");
    EXPECT_EQ(c.status, 0) << c.out;
    ASSERT_TRUE(is_char_device("/dev/null"));
  }
  // A device that refuses the bytes: the error names it and the run fails.
  if (is_char_device("/dev/full")) {
    CliRun full = lcl("decompress " + q(dir / "w.bin.lcl") + " -o /dev/full");
    EXPECT_EQ(full.status, 1) << full.out;
    EXPECT_NE(full.out.find("/dev/full"), std::string::npos) << full.out;
    EXPECT_TRUE(is_char_device("/dev/full"));
  }
}

TEST(OutputSafety, WritesIntoAFifoInOrder) {
  TempDir dir;
  // Zero runs in the middle and at the end: decompress leaves holes there, a FIFO gets zeros.
  auto data = test::skewed_bytes(600000, 5);
  std::fill(data.begin() + 100000, data.begin() + 300000, 0);
  std::fill(data.end() - 50000, data.end(), 0);
  test::write_file(dir / "w.bin", data);
  ASSERT_EQ(lcl("compress -q --chunk-size 1 " + q(dir / "w.bin")).status, 0);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  FifoReader reader(dir / "fifo");
  CliRun d = lcl("decompress -q " + q(dir / "w.bin.lcl") + " -o " + q(dir / "fifo"));
  EXPECT_EQ(d.status, 0) << d.out;
  EXPECT_EQ(reader.finish(), data);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));

  FifoReader archive_reader(dir / "fifo");
  ASSERT_EQ(lcl("compress -q " + q(dir / "w.bin") + " -o " + q(dir / "fifo")).status, 0);
  test::write_file(dir / "piped.lcl", archive_reader.finish());
  ASSERT_EQ(lcl("decompress -q " + q(dir / "piped.lcl") + " -o " + q(dir / "back")).status, 0);
  EXPECT_EQ(test::read_file(dir / "back"), data);
}

TEST(OutputSafety, RefusesDirectoriesAndReplacesRegularFilesOnlyWithForce) {
  TempDir dir;
  test::write_file(dir / "w.bin", test::skewed_bytes(5000, 6));
  ASSERT_EQ(lcl("compress -q " + q(dir / "w.bin")).status, 0);
  std::filesystem::create_directory(dir / "sub");
  CliRun d = lcl("decompress -f " + q(dir / "w.bin.lcl") + " -o " + q(dir / "sub"));
  EXPECT_EQ(d.status, 1) << d.out;
  EXPECT_NE(d.out.find("is a directory"), std::string::npos) << d.out;
  EXPECT_TRUE(std::filesystem::is_directory(dir / "sub"));

  test::write_file(dir / "old", {1, 2, 3});
  EXPECT_EQ(lcl("decompress -q " + q(dir / "w.bin.lcl") + " -o " + q(dir / "old")).status, 1);
  EXPECT_EQ(test::read_file(dir / "old"), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(lcl("decompress -q -f " + q(dir / "w.bin.lcl") + " -o " + q(dir / "old")).status, 0);
  EXPECT_EQ(test::read_file(dir / "old"), test::read_file(dir / "w.bin"));
  // -f through a symlink replaces the file it names and keeps the link.
  test::write_file(dir / "target", {9});
  std::filesystem::create_symlink(dir / "target", dir / "via");
  EXPECT_EQ(lcl("decompress -q -f " + q(dir / "w.bin.lcl") + " -o " + q(dir / "via")).status, 0);
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "via"));
  EXPECT_EQ(test::read_file(dir / "target"), test::read_file(dir / "w.bin"));
}

TEST(OutputSafety, MessagesNameTheOutputNotATemporaryFile) {
  TempDir dir;
  test::write_file(dir / "w.bin", test::skewed_bytes(5000, 7));
  const auto out = dir / "missing-dir" / "w.lcl";
  CliRun c = lcl("compress " + q(dir / "w.bin") + " -o " + q(out));
  EXPECT_EQ(c.status, 1) << c.out;
  EXPECT_NE(c.out.find(out.string()), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find(".tmp-"), std::string::npos) << c.out;
}

TEST(OutputSafety, StaleTemporaryFilesOfTheSameOutputAreRemoved) {
  TempDir dir;
  test::write_file(dir / "w.bin", test::skewed_bytes(5000, 8));
  const auto old_time = std::filesystem::file_time_type::clock::now() - std::chrono::hours(1);
  for (const char* name : {"w.bin.lcl.tmp-0123abcd", "w.bin.lcl.tmp-keep", "other.tmp-0123abcd",
                           "w.bin.lcl.tmp-0123abcdef"}) {
    test::write_file(dir / name, {1});
    std::filesystem::last_write_time(dir / name, old_time);
  }
  test::write_file(dir / "w.bin.lcl.tmp-feedbeef", {1});  // recent: possibly a concurrent run's
  std::filesystem::last_write_time(
      dir / "w.bin.lcl.tmp-feedbeef",
      std::filesystem::file_time_type::clock::now() + std::chrono::minutes(1));
  ASSERT_EQ(lcl("compress -q " + q(dir / "w.bin")).status, 0);
  EXPECT_EQ(entries(dir.path()),
            (std::vector<std::string>{"other.tmp-0123abcd", "w.bin", "w.bin.lcl",
                                      "w.bin.lcl.tmp-0123abcdef", "w.bin.lcl.tmp-feedbeef",
                                      "w.bin.lcl.tmp-keep"}));
}

TEST(OutputSafety, NothingVisibleBeforeCommitAndNothingLeftWithout) {
  TempDir dir;
  {
    AtomicOutputFile out(dir / "out", false);
    out.write(std::vector<uint8_t>(1000, 7));
    // Unnamed (O_TMPFILE) where the file system has it; a named temporary file otherwise.
    for (const std::string& name : entries(dir.path())) EXPECT_EQ(name.rfind("out.tmp-", 0), 0u);
  }
  EXPECT_TRUE(entries(dir.path()).empty());
  {
    AtomicOutputFile out(dir / "out", false);
    out.write(std::vector<uint8_t>(1000, 7));
    out.commit();
  }
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"out"});
  EXPECT_EQ(test::read_file(dir / "out"), std::vector<uint8_t>(1000, 7));
}

TEST(OutputSafety, KilledRunLeavesNothingVisible) {
  TempDir dir;
  // zstd -19 on 8 MiB of opaque bytes takes seconds: the run is still encoding when it is
  // killed, with its output file already open.
  test::write_file(dir / "big.bin", test::random_bytes(8 << 20, 9));
  CliRun killed = test::run_lcl("compress -q -T 1 --level 19 " + q(dir / "big.bin") + " -o " +
                                q(dir / "big.lcl") +
                                " & pid=$!; sleep 0.3; kill -9 $pid && echo killed; wait $pid");
  ASSERT_NE(killed.out.find("killed"), std::string::npos) << killed.out;
  EXPECT_EQ(entries(dir.path()), std::vector<std::string>{"big.bin"});
}

// Inputs whose st_size means nothing (a /proc file, a FIFO, a pipe, a device) are read once, front
// to back, as streams, and decode back byte-exact.
TEST(InputSafety, NonRegularInputsAreReadAsStreams) {
  TempDir dir;
  // /proc/self/status reports size 0 but holds text; its contents are those of the lcl process.
  CliRun s = lcl("compress -q /proc/self/status -o " + q(dir / "s.lcl"));
  ASSERT_EQ(s.status, 0) << s.out;
  CliRun sd = lcl("decompress -q " + q(dir / "s.lcl") + " -o " + q(dir / "s.txt"));
  ASSERT_EQ(sd.status, 0) << sd.out;
  const std::vector<uint8_t> status_text = test::read_file(dir / "s.txt");
  ASSERT_GE(status_text.size(), 5u);
  EXPECT_EQ(std::string(status_text.begin(), status_text.begin() + 5), "Name:");

  // A FIFO fed by a writer thread, as `cat file > fifo` would.
  const std::vector<uint8_t> bytes = test::skewed_bytes(300000, 10);
  test::write_file(dir / "w.bin", bytes);
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(dir / "fifo", std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  });
  CliRun f = lcl("compress -q " + q(dir / "fifo") + " -o " + q(dir / "f.lcl"));
  writer.join();
  ASSERT_EQ(f.status, 0) << f.out;
  CliRun fd = lcl("decompress -q " + q(dir / "f.lcl") + " -o " + q(dir / "f.out"));
  ASSERT_EQ(fd.status, 0) << fd.out;
  EXPECT_EQ(test::read_file(dir / "f.out"), bytes);

  // bash's process substitution (a pipe named /dev/fd/N), then a pipe end to end.
  CliRun p = test::run_lcl(
      "compress -q <(cat " + q(dir / "w.bin") + ") -o " + q(dir / "p.lcl") + "\"", "bash -c \"");
  ASSERT_EQ(p.status, 0) << p.out;
  CliRun pd = lcl("decompress -q " + q(dir / "p.lcl") + " -o " + q(dir / "p.out"));
  ASSERT_EQ(pd.status, 0) << pd.out;
  EXPECT_EQ(test::read_file(dir / "p.out"), bytes);
  CliRun round = test::run_lcl(
      "compress -q -c - | " + test::cli_path().string() + " decompress -q - -o " + q(dir / "r.out"),
      "cat " + q(dir / "w.bin") + " | ");
  ASSERT_EQ(round.status, 0) << round.out;
  EXPECT_EQ(test::read_file(dir / "r.out"), bytes);

  // /dev/zero never ends: a bounded run of it through head.
  CliRun z = test::run_lcl("compress -q - -o " + q(dir / "z.lcl"), "head -c 1000000 /dev/zero | ");
  ASSERT_EQ(z.status, 0) << z.out;
  CliRun zd = lcl("decompress -q " + q(dir / "z.lcl") + " -o " + q(dir / "z.out"));
  ASSERT_EQ(zd.status, 0) << zd.out;
  EXPECT_EQ(test::read_file(dir / "z.out"), std::vector<uint8_t>(1000000, 0));
}

}  // namespace
}  // namespace lcl
