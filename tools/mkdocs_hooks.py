"""MkDocs hooks: generate the reference pages from the bundled data at build time.

Registered under ``hooks:`` in mkdocs.yml. The pages (one per bundled scheme, one per
shipped JSON Schema, and an overview) come from :func:`asnmerit.present.docgen.reference_pages`;
they are never written to the documentation folder, so they cannot drift from the data.
The nav entry named "Reference" is filled with them.
"""

from __future__ import annotations

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from asnmerit.present.docgen import Page, reference_pages

SECTION = "Reference"

_pages: list[Page] = []


def _nav(pages: list[Page]) -> list[Any]:
    """The Reference section: the overview, then the schemes, then the schemas."""
    schemes = [{p.title: p.path} for p in pages if p.path.startswith("reference/schemes/")]
    schemas = [{p.title: p.path} for p in pages if p.path.startswith("reference/schemas/")]
    rest = [{p.title: p.path} for p in pages if p.path.count("/") == 1]
    return [*rest, {"Schemes": schemes}, {"JSON Schemas": schemas}]


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Generate the pages and put them in the nav: in place of the entry named "Reference",
    else at its end. Without a nav, MkDocs lists every page itself."""
    _pages[:] = reference_pages()
    if config.nav is None:
        return config
    section = {SECTION: _nav(_pages)}
    for i, item in enumerate(config.nav):
        if isinstance(item, dict) and SECTION in item:
            config.nav[i] = section
            break
    else:
        config.nav.append(section)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages as files of the site."""
    for page in _pages:
        if files.get_file_from_path(page.path) is not None:
            raise PluginError(
                f"{page.path} is generated from the bundled data: remove the file of that name "
                f"from {config.docs_dir}"
            )
        files.append(File.generated(config, page.path, content=page.text))
    return files
