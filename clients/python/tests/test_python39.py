"""Every file of the package and its tests parses as Python 3.9 (the oldest the client supports)."""
import ast
import pathlib
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent


class Python39Test(unittest.TestCase):
    def test_every_file_is_python_3_9(self):
        files = sorted(ROOT.glob("boxq/*.py")) + sorted(ROOT.glob("tests/*.py"))
        self.assertGreater(len(files), 5)
        for f in files:
            with self.subTest(file=f.name):
                ast.parse(f.read_text(encoding="utf-8"), filename=str(f), feature_version=(3, 9))

    def test_the_package_imports_only_the_standard_library(self):
        import sys
        stdlib = getattr(sys, "stdlib_module_names", None)  # Python 3.10+
        if stdlib is None:
            self.skipTest("sys.stdlib_module_names is new in Python 3.10")
        for f in sorted(ROOT.glob("boxq/*.py")):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    self.assertIn(name.split(".")[0], stdlib, "%s imports %s" % (f.name, name))


if __name__ == "__main__":
    unittest.main()
