"""Build the one C extension: the exact max-flow solver for attention flow."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "xaudit.attribution._maxflow",
            sources=["xaudit/attribution/_maxflow.c"],
            extra_compile_args=["-O3", "-std=c99"],
        )
    ]
)
