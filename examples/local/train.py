"""Linear regression by gradient descent, in plain Python (no packages).

Runs the way a SageMaker scikit-learn or PyTorch container runs a script: hyperparameters arrive as
--name value arguments, the training channel's folder is $SM_CHANNEL_TRAIN, and whatever is written
to $SM_MODEL_DIR becomes model.tar.gz. For serving, the same file gives the frameworks' handlers:
model_fn loads the model, predict_fn scores the rows the default CSV/JSON input handler parsed.
"""
import argparse
import csv
import json
import os


def load(folder):
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name), newline="") as f:
                reader = csv.reader(f)
                next(reader)  # the header
                rows += [[float(v) for v in row] for row in reader if row]
    return [r[:-1] for r in rows], [r[-1] for r in rows]


def mse(w, b, xs, ys):
    return sum((sum(wi * xi for wi, xi in zip(w, x)) + b - y) ** 2 for x, y in zip(xs, ys)) / len(ys)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "data"))
    args = parser.parse_args()

    xs, ys = load(args.train)
    n, d = len(ys), len(xs[0])
    print(f"training on {n} rows, {d} features, {args.epochs} epochs, lr={args.lr}")
    w, b = [0.0] * d, 0.0
    for epoch in range(1, args.epochs + 1):
        errors = [sum(wi * xi for wi, xi in zip(w, x)) + b - y for x, y in zip(xs, ys)]
        w = [wi - args.lr * 2 * sum(e * x[j] for e, x in zip(errors, xs)) / n for j, wi in enumerate(w)]
        b -= args.lr * 2 * sum(errors) / n
        if epoch % (args.epochs // 5 or 1) == 0:
            print(f"epoch {epoch}: mse={mse(w, b, xs, ys):.6f}")

    os.makedirs(args.model_dir, exist_ok=True)
    with open(os.path.join(args.model_dir, "model.json"), "w") as f:
        json.dump({"weights": [round(v, 6) for v in w], "bias": round(b, 6)}, f)
    print(f"weights={[round(v, 3) for v in w]} bias={round(b, 3)}")


def model_fn(model_dir):
    with open(os.path.join(model_dir, "model.json")) as f:
        return json.load(f)


def predict_fn(rows, model):
    w, b = model["weights"], model["bias"]
    return [round(sum(wi * xi for wi, xi in zip(w, row)) + b, 6) for row in rows]


if __name__ == "__main__":
    main()
