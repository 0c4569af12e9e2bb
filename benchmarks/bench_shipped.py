"""The shipped CIFAR-10 models' own records: what `python3 tasks.py train` measured when it made them.

No training here: each row is read from the JSON record beside a file in cnn_utils/weights, so the
table says how the weights the chapters load were made (time, accuracy, time to 80% and 85%), on the
machine and load of that run. `bench --only cifar` re-measures the recipe beside its anchor.
"""

import json

from cnn_utils.models import SHIPPED
from cnn_utils.models.cifar_training import weights_path


def _minutes(seconds):
    return "not reached" if seconds is None else f"{seconds / 60:.1f} min"


def run(quick=False):
    rows = []
    for name in SHIPPED:
        path = weights_path(name).with_suffix(".json")
        if not path.is_file():
            rows.append((f"shipped model {name}", f"missing: no {path.name}; python3 tasks.py train {name}"))
            continue
        record = json.loads(path.read_text(encoding="utf-8"))
        epochs = record["epochs"]
        rows.append((
            f"shipped model {name} ({record['command']}, seed {record['seed']}, {epochs} epochs, "
            f"{record['train_images']:,} training images), as its record says (measured while it trained, with whatever else the machine ran then): test accuracy, training time",
            f"{record['test_accuracy']:.2%} on {record['test_images']:,} test images, "
            f"{_minutes(record['training_seconds'])} ({record['training_seconds'] / epochs:.0f} s per "
            f"epoch; {record['machine']})"))
        rows.append((f"shipped model {name}, as its record says: time to 80% and to 85% test accuracy",
                     f"{_minutes(record['seconds_to_80'])}, {_minutes(record['seconds_to_85'])}"))
    return rows
