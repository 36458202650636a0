"""`ipcenter classifier train | evaluate | info`: the IPC suggestion model from the command line.

``train`` fits a model on the labelled sets of the shared data (by default the training part of
the fixed split, as the shipped model was), measures it on the test part and writes one
versioned file; ``evaluate`` measures a model on the test part; ``info`` says what a model is.
The work is done by :mod:`ipcenter.search.classify`; this command only parses and prints.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from ipcenter.search import classify
from ipcenter.search.base import Encoder

EMBED_CHUNK = 256


def _default_version() -> str:
    return f"ipc-classifier-{dt.date.today():%Y.%m}-1"


class Command(BaseCommand):
    help = "Train, evaluate or describe the IPC suggestion model."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        train = commands.add_parser("train", help="Train a model and write its file.")
        train.add_argument("--data", type=Path, required=True, help="the shared data folder")
        train.add_argument(
            "--out", type=Path, required=True, help="a folder (gets VERSION.npz.gz) or a file"
        )
        train.add_argument(
            "--version",
            dest="model_version",
            default=None,
            help="ipc-classifier-YYYY.MM-N (default: this month, -1)",
        )
        train.add_argument(
            "--split",
            choices=("train", "all"),
            default="train",
            help="train on the training part of the fixed split (default) or on everything",
        )
        train.add_argument(
            "--limit", type=int, default=None, help="train on a fixed subset of N examples"
        )
        train.add_argument("--seed", type=int, default=0)
        train.add_argument(
            "--no-evaluate", action="store_true", help="do not measure on the test part"
        )
        train.add_argument("--no-progress", action="store_true", help="no progress bar")
        evaluate = commands.add_parser("evaluate", help="Measure a model on the test part.")
        evaluate.add_argument("--data", type=Path, required=True, help="the shared data folder")
        evaluate.add_argument("--model", type=Path, default=None, help="default: the shipped one")
        evaluate.add_argument(
            "--limit", type=int, default=None, help="a fixed subset of N test examples"
        )
        evaluate.add_argument("--no-progress", action="store_true", help="no progress bar")
        info = commands.add_parser("info", help="Version, data and figures of a model.")
        info.add_argument("--model", type=Path, default=None, help="default: the shipped one")
        info.add_argument("--json", action="store_true", help="everything, as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "train":
                self._train(options)
            elif options["action"] == "evaluate":
                self._evaluate(options)
            else:
                self._info(options)
        except (classify.ClassifierError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc

    # -- train ------------------------------------------------------------------------------

    def _train(self, options: dict[str, Any]) -> None:
        data: Path = options["data"]
        version = options["model_version"] or _default_version()
        classify.validate_version(version)
        split = None if options["split"] == "all" else "train"
        examples = classify.load_labelled(data, split=split)
        if options["limit"]:
            examples = classify.subsample(examples, options["limit"])
        self.stdout.write(
            f"{version}: training on {len(examples)} labelled examples ({_mix(examples)})"
        )
        encoder = classify.default_encoder()
        started = time.monotonic()
        embeddings = self._embed(encoder, examples, progress=not options["no_progress"])
        model = classify.train_classifier(
            examples,
            encoder=encoder,
            version=version,
            seed=options["seed"],
            embeddings=embeddings,
        )
        model.metadata["training"]["seconds"] = round(time.monotonic() - started, 1)
        model.metadata["training"]["split"] = options["split"]
        if split == "train" and not options["no_evaluate"]:
            test = classify.load_labelled(data, split="test")
            if options["limit"]:
                test = classify.subsample(test, max(20, options["limit"] // 4))
            model.metadata["figures"] = self._measure(
                model, encoder, test, progress=not options["no_progress"]
            )
        written = model.save(options["out"])
        size = written.stat().st_size
        self.stdout.write(f"wrote {written} ({size / 1e6:.1f} MB)")
        for line in _figure_lines(model.metadata.get("figures", {})):
            self.stdout.write(line)

    def _evaluate(self, options: dict[str, Any]) -> None:
        model = classify.IpcClassifier.load(options["model"])
        test = classify.load_labelled(options["data"], split="test")
        if options["limit"]:
            test = classify.subsample(test, options["limit"])
        self.stdout.write(f"{model.version} on {len(test)} test examples ({_mix(test)})")
        figures = self._measure(model, model.encoder, test, progress=not options["no_progress"])
        for line in _figure_lines(figures):
            self.stdout.write(line)

    def _measure(
        self,
        model: classify.IpcClassifier,
        encoder: Encoder,
        examples: list[classify.LabelledExample],
        *,
        progress: bool,
    ) -> dict[str, Any]:
        embeddings = self._embed(encoder, examples, progress=progress)
        figures: dict[str, Any] = {
            "split": "test = crc32(id) % 5 == 0",
            "measured": dt.date.today().isoformat(),
        }
        for language in sorted({e.language for e in examples}):
            rows = [i for i, e in enumerate(examples) if e.language == language]
            found = classify.evaluate(
                model, [examples[i] for i in rows], embeddings=embeddings[rows]
            )
            figures[language] = {k: round(v, 4) for k, v in found.items()}
        return figures

    def _embed(
        self, encoder: Encoder, examples: list[classify.LabelledExample], *, progress: bool
    ) -> Any:
        import numpy as np

        chunks = []
        with tqdm(
            total=len(examples),
            desc="embedding",
            unit=" doc",
            file=sys.stderr,
            disable=not progress,
            dynamic_ncols=True,
        ) as bar:
            for start in range(0, len(examples), EMBED_CHUNK):
                batch = examples[start : start + EMBED_CHUNK]
                chunks.append(classify.embed_texts(encoder, [e.text for e in batch]))
                bar.update(len(batch))
        return np.vstack(chunks) if chunks else np.zeros((0, encoder.dimension), np.float32)

    # -- info -------------------------------------------------------------------------------

    def _info(self, options: dict[str, Any]) -> None:
        model = classify.IpcClassifier.load(options["model"])
        info = model.info()
        if options["json"]:
            self.stdout.write(json.dumps(info, ensure_ascii=False, indent=2))
            return
        training = info.get("training", {})
        self.stdout.write(info["version"])
        self.stdout.write(f"  created: {info.get('created', '?')}")
        self.stdout.write(
            f"  trained on: {training.get('examples', '?')} examples "
            f"{training.get('languages', {})}, split: {training.get('split', '?')}"
        )
        self.stdout.write(
            f"  subclasses: {info['subclasses']} (per language: {info['coverage']}); "
            f"gated languages: {', '.join(info['gated_languages']) or 'none'}"
        )
        self.stdout.write(
            f"  vocabulary: {info['vocabulary']} terms; exemplars: {info['exemplars']}; "
            f"encoder: {info.get('encoder', {}).get('name', '?')}"
        )
        for line in _figure_lines(info.get("figures", {})):
            self.stdout.write(line)


def _mix(examples: list[classify.LabelledExample]) -> str:
    counts: dict[str, int] = {}
    for example in examples:
        counts[example.language] = counts.get(example.language, 0) + 1
    return ", ".join(f"{language} {count}" for language, count in sorted(counts.items()))


def _figure_lines(figures: dict[str, Any]) -> list[str]:
    lines = []
    for language, values in sorted(figures.items()):
        if not isinstance(values, dict):
            continue
        text = f"  {language}: P@1 {values['p_at_1']:.3f}  R@5 {values['r_at_5']:.3f}"
        if "group_p_at_1" in values:
            text += f"  group P@1 {values['group_p_at_1']:.3f}"
        lines.append(text + f"  (n={int(values['n'])})")
    return lines
