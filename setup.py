import os

from setuptools import find_packages, setup

here = os.path.abspath(os.path.dirname(__file__))

about = {}
with open(os.path.join(here, "binance", "__version__.py")) as f:
    exec(f.read(), about)

with open(os.path.join(here, "README.md"), encoding="utf-8") as f:
    long_description = f.read()

with open(os.path.join(here, "requirements.txt")) as f:
    requirements = [line.strip() for line in f if line.strip() and not line.startswith("#")]

setup(
    name="binance-futures-connector",
    version=about["__version__"],
    description="USDⓈ-M and COIN-M futures connector for Binance: REST, streams, WebSocket API, order book, sandbox",
    long_description=long_description,
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(exclude=("tests", "tests.*", "examples", "examples.*", "bench", "bench.*", "tools")),
    package_data={"binance": ["py.typed"], "binance.sandbox": ["*.json"]},
    include_package_data=True,
    install_requires=requirements,
    extras_require={
        "sandbox": ["aiohttp>=3.9"],
        "fast": ["orjson>=3.9"],
        "dev": [
            "aiohttp>=3.9",
            "pytest>=7",
            "pytest-timeout>=2.1",
            "hypothesis>=6.80",
            "ruff>=0.5",
            "mypy>=1.11",
            "pyright>=1.1.380",
        ],
    },
    keywords=["Binance", "futures", "USDⓈ-M", "COIN-M", "trading", "websocket"],
    classifiers=[
        "Intended Audience :: Developers",
        "Intended Audience :: Financial and Insurance Industry",
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.9",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Typing :: Typed",
    ],
)
