"""Builds the lcl package: CMake compiles the extension lcl._lcl from the repository above this
folder (with -DLCL_BUILD_PYTHON=ON), setuptools installs it with the Python sources.

Install offline on Debian 12 (python3-pip python3-setuptools python3-numpy python3-pybind11
pybind11-dev, and the C++ build dependencies of tools/install-deps.sh):

    python3 -m pip install --no-build-isolation --no-index ./python

LCL_CMAKE_BUILD_DIR=<dir> reuses (and updates) an existing CMake build tree instead of a fresh
one; LCL_BUILD_JOBS sets the parallel build jobs.
"""

import os
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def project_version() -> str:
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        match = re.search(r"project\(\S+ VERSION (\d+\.\d+\.\d+)", f.read())
    if not match:
        raise RuntimeError("no project version in CMakeLists.txt")
    return match.group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        build_dir = os.environ.get("LCL_CMAKE_BUILD_DIR") or os.path.join(
            os.path.abspath(self.build_temp), "cmake")
        configure = [
            "cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
            "-DLCL_BUILD_PYTHON=ON", f"-DPython3_EXECUTABLE={sys.executable}",
        ]
        if not os.environ.get("LCL_CMAKE_BUILD_DIR"):  # a fresh tree: only what the module needs
            configure += ["-DLCL_BUILD_TESTS=OFF", "-DLCL_BUILD_BENCH=OFF", "-DLCL_BUILD_CLI=OFF",
                          "-DLCL_BUILD_SHARED=OFF"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"] if not os.path.exists(
                os.path.join(build_dir, "CMakeCache.txt")) else []
        subprocess.check_call(configure)
        jobs = os.environ.get("LCL_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", build_dir, "--target", "_lcl", "-j", jobs])
        built = os.path.join(build_dir, "python", "lcl", os.path.basename(self.get_ext_filename(ext.name)))
        target = self.get_ext_fullpath(ext.name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        shutil.copyfile(built, target)


setup(
    name="lcl",
    version=project_version(),
    description="Load losslessly compressed LLM checkpoints (.lcl) into numpy and torch",
    packages=["lcl"],
    package_data={"lcl": ["py.typed", "*.pyi"]},
    ext_modules=[Extension("lcl._lcl", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.9",
    install_requires=["numpy"],
    zip_safe=False,
)
