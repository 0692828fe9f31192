"""Train a small classifier on CSV rows (label first), in SageMaker script mode.

The PyTorch container passes hyperparameters as `--name value` arguments and the paths in SM_*
variables; the model saved to SM_MODEL_DIR becomes <output>/<job>/output/model.tar.gz.
"""
import argparse
import os

import numpy as np
import torch
from torch import nn


def load(channel_dir):
    files = sorted(f for f in os.listdir(channel_dir) if f.endswith(".csv"))
    data = np.concatenate([np.loadtxt(os.path.join(channel_dir, f), delimiter=",", ndmin=2) for f in files])
    return torch.tensor(data[:, 1:], dtype=torch.float32), torch.tensor(data[:, 0], dtype=torch.long)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--hidden-units", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    parser.add_argument("--model-dir", default=os.environ.get("SM_MODEL_DIR", "model"))
    parser.add_argument("--train", default=os.environ.get("SM_CHANNEL_TRAIN", "data"))
    args = parser.parse_args()

    x, y = load(args.train)
    classes = int(y.max().item()) + 1
    model = nn.Sequential(nn.Linear(x.shape[1], args.hidden_units), nn.ReLU(), nn.Linear(args.hidden_units, classes))
    optimizer = (torch.optim.Adam if args.optimizer == "adam" else torch.optim.SGD)(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    for epoch in range(args.epochs):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        print(f"epoch={epoch} loss={loss.item():.6f}", flush=True)

    os.makedirs(args.model_dir, exist_ok=True)
    torch.save({"state": model.state_dict(), "inputs": x.shape[1], "hidden": args.hidden_units, "classes": classes},
               os.path.join(args.model_dir, "model.pt"))


if __name__ == "__main__":
    main()
